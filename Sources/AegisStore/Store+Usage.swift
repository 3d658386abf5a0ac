import AegisCore
import AegisPostgres
import Foundation

/// A tenant's recorded usage in one UTC month, beside its plan's quota.
public struct UsageRecord: Sendable, Equatable {
    public var tenantID: String
    public var tenantName: String
    public var year: Int
    public var month: Int
    /// Requests counted against the quota, as last shipped by the daemons; 0 when none.
    public var requestsUsed: Int64
    public var monthlyQuota: Int64
    public var enforcement: Enforcement
    /// When the count last rose; `nil` when nothing is recorded for the month.
    public var updatedAt: Date?

    public init(
        tenantID: String, tenantName: String, year: Int, month: Int, requestsUsed: Int64, monthlyQuota: Int64,
        enforcement: Enforcement, updatedAt: Date?
    ) {
        self.tenantID = tenantID
        self.tenantName = tenantName
        self.year = year
        self.month = month
        self.requestsUsed = requestsUsed
        self.monthlyQuota = monthlyQuota
        self.enforcement = enforcement
        self.updatedAt = updatedAt
    }
}

extension Store {
    /// Usage for one UTC month, per tenant (every tenant, by name, or just one).
    /// - Parameters:
    ///   - tenant: the tenant's id or name; `nil` for every tenant.
    /// - Throws: ``StoreError``: `.notFound` for the tenant, `.invalidInput` for the month.
    public func usage(tenant: String? = nil, year: Int, month: Int) throws(StoreError) -> [UsageRecord] {
        try Validate.month(year: year, month: month)
        var sql = """
            SELECT t.id, t.name, coalesce(u.requests_used, 0), p.monthly_quota, p.enforcement_type,
                   \(Self.epochMilliseconds("u.updated_at"))
            FROM tenants t
            JOIN plans p ON p.id = t.plan_id
            LEFT JOIN monthly_usage u ON u.tenant_id = t.id AND u.year = $1 AND u.month = $2
            """
        var parameters: [String?] = [String(year), String(month)]
        if let tenant {
            sql += " WHERE t.id = $3"
            parameters.append(try self.tenant(tenant).id)
        }
        let result = try query(sql + " ORDER BY t.name", parameters)

        return try decode { () throws(PostgresError) in
            try result.rows.map { row throws(PostgresError) in
                let enforcementText = try row.string(4)
                guard let enforcement = Enforcement(rawValue: enforcementText) else {
                    throw PostgresError(.unexpectedResult, "unknown enforcement type '\(enforcementText)'")
                }
                return UsageRecord(
                    tenantID: try row.string(0), tenantName: try row.string(1), year: year, month: month,
                    requestsUsed: try row.int64(2), monthlyQuota: try row.int64(3), enforcement: enforcement,
                    updatedAt: try Self.optionalDate(row, 5))
            }
        }
    }
}
