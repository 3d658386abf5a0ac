import AegisCore
import AegisPostgres
import Foundation

/// A plan as stored.
public struct PlanRecord: Sendable, Equatable {
    public var id: String
    public var name: String
    public var plan: Plan
    public var createdAt: Date

    public init(id: String, name: String, plan: Plan, createdAt: Date) {
        self.id = id
        self.name = name
        self.plan = plan
        self.createdAt = createdAt
    }
}

/// The fields of a plan to change; `nil` leaves a field as it is.
public struct PlanChanges: Sendable, Equatable {
    public var name: String?
    public var burstRPS: Int?
    public var sustainedRPM: Int?
    public var monthlyQuota: Int64?
    public var enforcement: Enforcement?

    public init(
        name: String? = nil, burstRPS: Int? = nil, sustainedRPM: Int? = nil, monthlyQuota: Int64? = nil,
        enforcement: Enforcement? = nil
    ) {
        self.name = name
        self.burstRPS = burstRPS
        self.sustainedRPM = sustainedRPM
        self.monthlyQuota = monthlyQuota
        self.enforcement = enforcement
    }

    public var isEmpty: Bool {
        name == nil && burstRPS == nil && sustainedRPM == nil && monthlyQuota == nil && enforcement == nil
    }
}

extension Store {
    private static let planColumns =
        "id, name, burst_rps, sustained_rpm, monthly_quota, enforcement_type, \(epochMilliseconds("created_at"))"

    /// Creates a plan.
    /// - Throws: ``StoreError``: `.invalidInput` for a bad name or limits, `.alreadyExists` when
    ///   the name is taken.
    public func createPlan(name: String, plan: Plan) throws(StoreError) -> PlanRecord {
        try Validate.name(name, "plan")
        try Validate.plan(plan)
        let result = try uniqueName(name, "plan") { () throws(StoreError) in
            try query(
                """
                INSERT INTO plans (id, name, burst_rps, sustained_rpm, monthly_quota, enforcement_type)
                VALUES ($1, $2, $3, $4, $5, $6) RETURNING \(Self.planColumns)
                """,
                [
                    UUIDv7.next().description, name, String(plan.burstRPS), String(plan.sustainedRPM),
                    String(plan.monthlyQuota), plan.enforcement.rawValue,
                ])
        }
        return try planRecords(result)[0]
    }

    /// Every plan, oldest first.
    public func listPlans() throws(StoreError) -> [PlanRecord] {
        try planRecords(query("SELECT \(Self.planColumns) FROM plans ORDER BY created_at, id"))
    }

    /// The plan with this id, or else this name.
    /// - Throws: ``StoreError`` (`.notFound`) when there is none.
    public func plan(_ reference: String) throws(StoreError) -> PlanRecord {
        let column = Validate.isUUID(reference) ? "id" : "name"
        let found = try planRecords(query("SELECT \(Self.planColumns) FROM plans WHERE \(column) = $1", [reference]))
        guard let plan = found.first else { throw Self.notFound("plan", reference) }
        return plan
    }

    /// Changes a plan's name or limits, and announces the change to running daemons.
    /// - Parameters:
    ///   - reference: the plan's id or name.
    ///   - changes: the fields to set; at least one.
    /// - Throws: ``StoreError``: `.notFound`, `.invalidInput`, or `.alreadyExists` for a taken name.
    public func updatePlan(_ reference: String, _ changes: PlanChanges) throws(StoreError) -> PlanRecord {
        guard !changes.isEmpty else { throw StoreError(.invalidInput, "nothing to change") }
        if let name = changes.name { try Validate.name(name, "plan") }

        return try transaction { () throws(StoreError) in
            let current = try plan(reference)
            var limits = current.plan
            if let value = changes.burstRPS { limits.burstRPS = value }
            if let value = changes.sustainedRPM { limits.sustainedRPM = value }
            if let value = changes.monthlyQuota { limits.monthlyQuota = value }
            if let value = changes.enforcement { limits.enforcement = value }
            try Validate.plan(limits)

            let name = changes.name ?? current.name
            let result = try uniqueName(name, "plan") { () throws(StoreError) in
                try query(
                    """
                    UPDATE plans SET name = $2, burst_rps = $3, sustained_rpm = $4, monthly_quota = $5,
                        enforcement_type = $6
                    WHERE id = $1 RETURNING \(Self.planColumns)
                    """,
                    [
                        current.id, name, String(limits.burstRPS), String(limits.sustainedRPM),
                        String(limits.monthlyQuota), limits.enforcement.rawValue,
                    ])
            }
            try recordChange(kind: "plan", target: current.id)
            return try planRecords(result)[0]
        }
    }

    private func planRecords(_ result: PostgresResult) throws(StoreError) -> [PlanRecord] {
        try decode { () throws(PostgresError) in
            try result.rows.map { row throws(PostgresError) in
                PlanRecord(
                    id: try row.string(0), name: try row.string(1), plan: try Self.plan(from: row, at: 2),
                    createdAt: try Self.date(row, 6))
            }
        }
    }
}

extension Validate {
    static func plan(_ plan: Plan) throws(StoreError) {
        guard (1...Int(Int32.max)).contains(plan.burstRPS) else {
            throw StoreError(.invalidInput, "burst RPS must be between 1 and \(Int32.max), not \(plan.burstRPS)")
        }
        guard (1...Int(Int32.max)).contains(plan.sustainedRPM) else {
            throw StoreError(.invalidInput, "RPM must be between 1 and \(Int32.max), not \(plan.sustainedRPM)")
        }
        guard plan.monthlyQuota >= 0 else {
            throw StoreError(.invalidInput, "the monthly quota must be at least 0, not \(plan.monthlyQuota)")
        }
    }
}
