import AegisCore
import AegisPostgres
import Foundation

/// Whether a tenant's keys are honoured.
public enum TenantStatus: String, Sendable, Equatable, CaseIterable {
    case active
    /// Every request with the tenant's keys is denied with `tenant_suspended`.
    case suspended
}

/// A tenant as stored, with its plan's name.
public struct TenantRecord: Sendable, Equatable {
    public var id: String
    public var name: String
    public var status: TenantStatus
    public var planID: String
    public var planName: String
    public var createdAt: Date

    public init(id: String, name: String, status: TenantStatus, planID: String, planName: String, createdAt: Date) {
        self.id = id
        self.name = name
        self.status = status
        self.planID = planID
        self.planName = planName
        self.createdAt = createdAt
    }
}

extension Store {
    private static let tenantSelect = """
        SELECT t.id, t.name, t.status, p.id, p.name, \(epochMilliseconds("t.created_at"))
        FROM tenants t JOIN plans p ON p.id = t.plan_id
        """

    /// Creates an active tenant on a plan.
    /// - Parameters:
    ///   - name: unique among tenants.
    ///   - plan: the plan's id or name.
    /// - Throws: ``StoreError``: `.invalidInput`, `.notFound` for the plan, `.alreadyExists`.
    public func createTenant(name: String, plan: String) throws(StoreError) -> TenantRecord {
        try Validate.name(name, "tenant")
        return try transaction { () throws(StoreError) in
            let planID = try self.plan(plan).id
            let id = UUIDv7.next().description
            try uniqueName(name, "tenant") { () throws(StoreError) in
                try query(
                    "INSERT INTO tenants (id, name, plan_id, status) VALUES ($1, $2, $3, 'active')", [id, name, planID])
            }
            return try tenant(id)
        }
    }

    /// Every tenant, oldest first.
    public func listTenants() throws(StoreError) -> [TenantRecord] {
        try tenantRecords(query("\(Self.tenantSelect) ORDER BY t.created_at, t.id"))
    }

    /// The tenant with this id, or else this name.
    /// - Throws: ``StoreError`` (`.notFound`) when there is none.
    public func tenant(_ reference: String) throws(StoreError) -> TenantRecord {
        let column = Validate.isUUID(reference) ? "t.id" : "t.name"
        let found = try tenantRecords(query("\(Self.tenantSelect) WHERE \(column) = $1", [reference]))
        guard let tenant = found.first else { throw Self.notFound("tenant", reference) }
        return tenant
    }

    /// Suspends or reactivates a tenant, and announces the change to running daemons.
    /// - Returns: the tenant after the change.
    public func setTenantStatus(_ reference: String, _ status: TenantStatus) throws(StoreError) -> TenantRecord {
        try transaction { () throws(StoreError) in
            let id = try tenant(reference).id
            try query("UPDATE tenants SET status = $2 WHERE id = $1", [id, status.rawValue])
            try recordChange(kind: "tenant", target: id)
            return try tenant(id)
        }
    }

    /// Moves a tenant to another plan, and announces the change to running daemons.
    /// - Parameters:
    ///   - reference: the tenant's id or name.
    ///   - plan: the plan's id or name.
    /// - Returns: the tenant after the change.
    public func setTenantPlan(_ reference: String, plan: String) throws(StoreError) -> TenantRecord {
        try transaction { () throws(StoreError) in
            let id = try tenant(reference).id
            let planID = try self.plan(plan).id
            try query("UPDATE tenants SET plan_id = $2 WHERE id = $1", [id, planID])
            try recordChange(kind: "tenant", target: id)
            return try tenant(id)
        }
    }

    private func tenantRecords(_ result: PostgresResult) throws(StoreError) -> [TenantRecord] {
        try decode { () throws(PostgresError) in
            try result.rows.map { row throws(PostgresError) in
                let statusText = try row.string(2)
                guard let status = TenantStatus(rawValue: statusText) else {
                    throw PostgresError(.unexpectedResult, "unknown tenant status '\(statusText)'")
                }
                return TenantRecord(
                    id: try row.string(0), name: try row.string(1), status: status, planID: try row.string(3),
                    planName: try row.string(4), createdAt: try Self.date(row, 5))
            }
        }
    }
}
