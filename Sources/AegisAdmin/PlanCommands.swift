import AegisCore
import AegisStore

enum PlanCommands {
    private static let limitOptions: [Arguments.Option] = [
        .value("burst-rps", "N", help: "burst: token-bucket size, refilled N per second (at least 1)"),
        .value("rpm", "N", help: "sustained: most requests in any rolling minute (at least 1)"),
        .value("monthly-quota", "N", help: "requests per UTC calendar month (0 or more)"),
        .value("enforcement", "hard|soft", help: "past the quota: hard denies, soft admits and flags it"),
    ]

    static let commands = [
        Command(
            words: ["plan", "create"], summary: "Create a plan",
            usage: "plan create --name NAME --burst-rps N --rpm N --monthly-quota N --enforcement hard|soft",
            details: "With --json, prints {\"id\": \"...\"}.",
            options: [.value("name", "NAME", help: "a unique name")] + limitOptions, action: create),
        Command(words: ["plan", "list"], summary: "List plans", usage: "plan list", action: list),
        Command(
            words: ["plan", "update"], summary: "Change a plan's name or limits",
            usage:
                "plan update PLAN [--name NAME] [--burst-rps N] [--rpm N] [--monthly-quota N]"
                + " [--enforcement hard|soft]",
            details: "Running daemons apply the new limits at once.",
            options: [.value("name", "NAME", help: "a new unique name")] + limitOptions,
            positionals: [.init("PLAN", help: "the plan's id or name")], action: update),
    ]

    private static func create(_ invocation: Invocation) throws {
        let arguments = invocation.arguments
        let name = try arguments.requiredValue("name")
        let plan = Plan(
            burstRPS: Int(try required(arguments, "burst-rps", in: 1...Int64(Int32.max))),
            sustainedRPM: Int(try required(arguments, "rpm", in: 1...Int64(Int32.max))),
            monthlyQuota: try required(arguments, "monthly-quota", in: 0...Int64.max),
            enforcement: try requiredEnforcement(arguments))

        let record = try invocation.store().createPlan(name: name, plan: plan)
        invocation.output(
            json: ["id": record.id], text: ["Created plan \(record.name) (\(record.id)): \(limits(record.plan))."])
    }

    private static func list(_ invocation: Invocation) throws {
        let plans = try invocation.store().listPlans()
        var table = TextTable("ID", "NAME", "BURST_RPS", "RPM", "MONTHLY_QUOTA", "ENFORCEMENT", "CREATED")
        for plan in plans {
            table.add(
                plan.id, plan.name, String(plan.plan.burstRPS), String(plan.plan.sustainedRPM),
                String(plan.plan.monthlyQuota), plan.plan.enforcement.rawValue, JSONText.date(plan.createdAt))
        }
        invocation.output(json: plans.map(json), text: plans.isEmpty ? ["No plans."] : table.lines)
    }

    private static func update(_ invocation: Invocation) throws {
        let arguments = invocation.arguments
        let changes = PlanChanges(
            name: arguments.value("name"),
            burstRPS: try arguments.integer("burst-rps", in: 1...Int64(Int32.max)).map { Int($0) },
            sustainedRPM: try arguments.integer("rpm", in: 1...Int64(Int32.max)).map { Int($0) },
            monthlyQuota: try arguments.integer("monthly-quota", in: 0...Int64.max),
            enforcement: try enforcement(arguments))
        guard !changes.isEmpty else {
            throw ArgumentError(
                "nothing to change: give at least one of --name, --burst-rps, --rpm, --monthly-quota, --enforcement")
        }

        let plan = try invocation.store().updatePlan(arguments.positionals[0], changes)
        invocation.output(json: json(plan), text: ["Updated plan \(plan.name) (\(plan.id)): \(limits(plan.plan))."])
    }

    static func json(_ plan: PlanRecord) -> [String: Any] {
        [
            "id": plan.id, "name": plan.name, "burst_rps": plan.plan.burstRPS, "sustained_rpm": plan.plan.sustainedRPM,
            "monthly_quota": plan.plan.monthlyQuota, "enforcement": plan.plan.enforcement.rawValue,
            "created_at": JSONText.date(plan.createdAt),
        ]
    }

    private static func limits(_ plan: Plan) -> String {
        "burst \(plan.burstRPS)/s, \(plan.sustainedRPM)/min, \(plan.monthlyQuota)/month, \(plan.enforcement.rawValue)"
    }

    private static func required(_ arguments: Arguments, _ name: String, in range: ClosedRange<Int64>) throws -> Int64 {
        guard let value = try arguments.integer(name, in: range) else { throw ArgumentError("missing --\(name)") }
        return value
    }

    private static func requiredEnforcement(_ arguments: Arguments) throws -> Enforcement {
        guard let enforcement = try enforcement(arguments) else { throw ArgumentError("missing --enforcement") }
        return enforcement
    }

    private static func enforcement(_ arguments: Arguments) throws -> Enforcement? {
        guard let text = arguments.value("enforcement") else { return nil }
        guard let enforcement = Enforcement(rawValue: text) else {
            throw ArgumentError("--enforcement must be hard or soft, not '\(text)'")
        }
        return enforcement
    }
}
