import AegisCore
import AegisStore
import Foundation

enum UsageCommand {
    static let commands = [
        Command(
            words: ["usage"], summary: "Show requests counted against each tenant's monthly quota",
            usage: "usage [--tenant TENANT] [--month YYYY-MM]",
            details: """
                Counts are those the daemons have shipped to PostgreSQL, a few seconds behind the live
                counters in Redis. The month defaults to the current UTC month.
                """,
            options: [
                .value("tenant", "TENANT", help: "only this tenant (id or name)"),
                .value("month", "YYYY-MM", help: "the UTC month (default: this month)"),
            ],
            action: run)
    ]

    private static func run(_ invocation: Invocation) throws {
        let (year, month) = try parseMonth(invocation.arguments.value("month"))
        let records = try invocation.store().usage(
            tenant: invocation.arguments.value("tenant"), year: year, month: month)
        let label = String(format: "%04d-%02d", year, month)

        var table = TextTable("TENANT", "MONTH", "USED", "QUOTA", "USED_%", "ENFORCEMENT")
        for record in records {
            let percent =
                record.monthlyQuota > 0
                ? String(format: "%.1f", Double(record.requestsUsed) * 100 / Double(record.monthlyQuota)) : "-"
            table.add(
                record.tenantName, label, String(record.requestsUsed), String(record.monthlyQuota), percent,
                record.enforcement.rawValue)
        }
        invocation.output(
            json: records.map { record -> [String: Any] in
                [
                    "tenant_id": record.tenantID, "tenant": record.tenantName, "month": label,
                    "requests_used": record.requestsUsed, "monthly_quota": record.monthlyQuota,
                    "enforcement": record.enforcement.rawValue, "updated_at": JSONText.date(record.updatedAt),
                ]
            },
            text: records.isEmpty ? ["No tenants."] : table.lines)
    }

    /// `YYYY-MM`, or the current UTC month when absent.
    static func parseMonth(_ text: String?, now: Date = Date()) throws -> (year: Int, month: Int) {
        guard let text else {
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = TimeZone(identifier: "UTC")!
            let parts = calendar.dateComponents([.year, .month], from: now)
            return (parts.year!, parts.month!)
        }
        let pieces = text.split(separator: "-", omittingEmptySubsequences: false)
        guard pieces.count == 2, pieces[0].count == 4, pieces[1].count == 2,
            pieces.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } }),
            let year = Int(pieces[0]), let month = Int(pieces[1]), (1970...9999).contains(year),
            (1...12).contains(month)
        else {
            throw ArgumentError("--month must be a month as YYYY-MM, such as 2025-03, not '\(text)'")
        }
        return (year, month)
    }
}
