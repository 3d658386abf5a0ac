import AegisCore
import AegisPostgres

/// What the daemon needs to decide on a request carrying a valid, unrevoked key.
public struct KeyRecord: Sendable, Equatable {
    public var keyID: String
    public var tenantID: String
    /// Whether the tenant's status is `active` (not `suspended`).
    public var tenantActive: Bool
    public var planID: String
    public var plan: Plan

    public init(keyID: String, tenantID: String, tenantActive: Bool, planID: String, plan: Plan) {
        self.keyID = keyID
        self.tenantID = tenantID
        self.tenantActive = tenantActive
        self.planID = planID
        self.plan = plan
    }
}

extension Store {
    /// Looks up many keys by their SHA-256 in one query (key, tenant and plan through unique
    /// indexes).
    /// - Parameter hashes: lowercase hex SHA-256 values of raw keys.
    /// - Returns: a record per hash that names an unrevoked key; unknown and revoked keys are absent.
    public func lookupKeys(hashes: [String]) throws(StoreError) -> [String: KeyRecord] {
        guard !hashes.isEmpty else { return [:] }
        let result = try query(
            """
            SELECT k.key_hash, k.id, t.id, t.status = 'active', p.id,
                   p.burst_rps, p.sustained_rpm, p.monthly_quota, p.enforcement_type
            FROM api_keys k
            JOIN tenants t ON t.id = k.tenant_id
            JOIN plans p ON p.id = t.plan_id
            WHERE k.key_hash = ANY ($1::text[]) AND k.revoked_at IS NULL
            """,
            [PostgresArray.literal(hashes)])

        var records: [String: KeyRecord] = [:]
        for row in result.rows {
            let (hash, record) = try decode { () throws(PostgresError) in
                let plan = try Self.plan(from: row, at: 5)
                let record = KeyRecord(
                    keyID: try row.string(1), tenantID: try row.string(2), tenantActive: try row.bool(3),
                    planID: try row.string(4), plan: plan)
                return (try row.string(0), record)
            }
            records[hash] = record
        }
        return records
    }

    /// The requests counted against a tenant's quota in a UTC month; 0 when nothing is recorded.
    /// - Throws: ``StoreError`` (`.invalidInput`) when `tenantID` is not a UUID or the month is
    ///   not 1–12.
    public func monthlyUsage(tenantID: String, year: Int, month: Int) throws(StoreError) -> Int64 {
        try Validate.uuid(tenantID, "tenant id")
        try Validate.month(year: year, month: month)
        let result = try query(
            "SELECT requests_used FROM monthly_usage WHERE tenant_id = $1 AND year = $2 AND month = $3",
            [tenantID, String(year), String(month)])
        return try decode { () throws(PostgresError) in try result.rows.first?.int64(0) ?? 0 }
    }

    /// Reads `burst_rps, sustained_rpm, monthly_quota, enforcement_type` starting at `column`.
    static func plan(from row: PostgresRow, at column: Int) throws(PostgresError) -> Plan {
        let enforcementText = try row.string(column + 3)
        guard let enforcement = Enforcement(rawValue: enforcementText) else {
            throw PostgresError(.unexpectedResult, "unknown enforcement type '\(enforcementText)'")
        }
        return Plan(
            burstRPS: try row.int(column), sustainedRPM: try row.int(column + 1),
            monthlyQuota: try row.int64(column + 2), enforcement: enforcement)
    }
}
