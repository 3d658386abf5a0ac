import AegisCore
import AegisPostgres
import Foundation

/// An API key as listed: never its hash or raw value, only the short prefix.
public struct KeyInfo: Sendable, Equatable {
    public var id: String
    /// The raw key's first characters (`ak_` and five more).
    public var prefix: String
    public var tenantID: String
    public var tenantName: String
    public var createdAt: Date
    public var revokedAt: Date?

    public init(
        id: String, prefix: String, tenantID: String, tenantName: String, createdAt: Date, revokedAt: Date?
    ) {
        self.id = id
        self.prefix = prefix
        self.tenantID = tenantID
        self.tenantName = tenantName
        self.createdAt = createdAt
        self.revokedAt = revokedAt
    }

    public var isRevoked: Bool { revokedAt != nil }
}

/// A key just made: the only time its raw value exists outside the client that will use it.
public struct CreatedKey: Sendable, Equatable, CustomStringConvertible {
    public var info: KeyInfo
    /// The raw key. Show it once; it is not stored and cannot be recovered.
    public var rawKey: String

    public init(info: KeyInfo, rawKey: String) {
        self.info = info
        self.rawKey = rawKey
    }

    /// Leaves the raw key out, so logging the value cannot leak it.
    public var description: String { "CreatedKey(id: \(info.id), prefix: \(info.prefix))" }
}

extension Store {
    private static let keySelect = """
        SELECT k.id, k.prefix, t.id, t.name, \(epochMilliseconds("k.created_at")), \(epochMilliseconds("k.revoked_at"))
        FROM api_keys k JOIN tenants t ON t.id = k.tenant_id
        """

    /// Makes a new key for a tenant, storing only its SHA-256 and prefix, and announces it so
    /// daemons forget any earlier "no such key" answers.
    /// - Parameter tenant: the tenant's id or name.
    /// - Throws: ``StoreError``: `.notFound`, or `.database` if the random source fails.
    public func createKey(tenant: String) throws(StoreError) -> CreatedKey {
        let rawKey: String
        do {
            rawKey = try APIKey.generate()
        } catch {
            throw StoreError(.database, "cannot make a key: \(error.message)")
        }

        return try transaction { () throws(StoreError) in
            let tenantID = try self.tenant(tenant).id
            let id = UUIDv7.next().description
            try query(
                "INSERT INTO api_keys (id, key_hash, prefix, tenant_id) VALUES ($1, $2, $3, $4)",
                [id, APIKey.hash(rawKey), APIKey.displayPrefix(of: rawKey), tenantID])
            try recordChange(kind: "key", target: id)
            return CreatedKey(info: try key(id), rawKey: rawKey)
        }
    }

    /// Keys, oldest first, for one tenant or for all.
    /// - Parameter tenant: the tenant's id or name; `nil` for every tenant.
    public func listKeys(tenant: String? = nil) throws(StoreError) -> [KeyInfo] {
        guard let tenant else {
            return try keyInfos(query("\(Self.keySelect) ORDER BY k.created_at, k.id"))
        }
        let tenantID = try self.tenant(tenant).id
        return try keyInfos(query("\(Self.keySelect) WHERE k.tenant_id = $1 ORDER BY k.created_at, k.id", [tenantID]))
    }

    /// The key with this id.
    /// - Throws: ``StoreError``: `.invalidInput` when `id` is not a UUID, `.notFound`.
    public func key(_ id: String) throws(StoreError) -> KeyInfo {
        try Validate.uuid(id, "key id")
        guard let key = try keyInfos(query("\(Self.keySelect) WHERE k.id = $1", [id])).first else {
            throw Self.notFound("key", id)
        }
        return key
    }

    /// Revokes a key at once, and announces it to running daemons. Revoking a revoked key changes
    /// nothing.
    /// - Returns: the key, and whether this call revoked it (`false` if it already was).
    public func revokeKey(_ id: String) throws(StoreError) -> (key: KeyInfo, revokedNow: Bool) {
        try transaction { () throws(StoreError) in
            let before = try key(id)
            guard !before.isRevoked else { return (before, false) }
            try query("UPDATE api_keys SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL", [before.id])
            try recordChange(kind: "key", target: before.id)
            return (try key(before.id), true)
        }
    }

    private func keyInfos(_ result: PostgresResult) throws(StoreError) -> [KeyInfo] {
        try decode { () throws(PostgresError) in
            try result.rows.map { row throws(PostgresError) in
                KeyInfo(
                    id: try row.string(0), prefix: try row.string(1), tenantID: try row.string(2),
                    tenantName: try row.string(3), createdAt: try Self.date(row, 4),
                    revokedAt: try Self.optionalDate(row, 5))
            }
        }
    }
}
