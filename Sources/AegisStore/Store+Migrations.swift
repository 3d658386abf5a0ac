import AegisPostgres

extension Store {
    /// Applies the bundled migrations that the database has not seen yet.
    ///
    /// Each runs in its own transaction and is recorded in `schema_migrations`. A session-level
    /// advisory lock makes concurrent callers (two daemons starting at once) take turns: the
    /// second finds everything applied and does nothing.
    /// - Returns: the migrations applied now, in order; empty when the schema was up to date.
    /// - Throws: ``StoreError``; a failed migration is rolled back and later ones are not tried.
    @discardableResult
    public func migrate() throws(StoreError) -> [Migration] {
        try migrate(Migration.bundled())
    }

    /// Applies the given migrations the database has not seen yet; see ``migrate()``.
    @discardableResult
    public func migrate(_ migrations: [Migration]) throws(StoreError) -> [Migration] {
        try query("SELECT pg_advisory_lock($1::int, $2::int)", AdvisoryLock.migrations)
        defer { _ = try? connection.execute("SELECT pg_advisory_unlock($1::int, $2::int)", AdvisoryLock.migrations) }

        try query(
            """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version integer PRIMARY KEY,
                name text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now()
            )
            """)
        let applied = Set(try appliedMigrationVersions())

        var appliedNow: [Migration] = []
        for migration in migrations where !applied.contains(migration.version) {
            try transaction { () throws(StoreError) in
                do throws(PostgresError) {
                    try connection.executeScript(migration.sql)
                } catch {
                    throw StoreError(.migrationFailed, "\(migration.name): \(error.message)", underlying: error)
                }
                try query(
                    "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)",
                    [String(migration.version), migration.name])
            }
            appliedNow.append(migration)
        }
        return appliedNow
    }

    /// The versions recorded in `schema_migrations`, ascending; empty before the first migration.
    public func appliedMigrationVersions() throws(StoreError) -> [Int] {
        let exists = try query("SELECT to_regclass('schema_migrations') IS NOT NULL")
        guard try decode({ () throws(PostgresError) in try exists.rows.first?.bool(0) ?? false }) else { return [] }
        let result = try query("SELECT version FROM schema_migrations ORDER BY version")
        return try decode { () throws(PostgresError) in
            try result.rows.map { row throws(PostgresError) in try row.int(0) }
        }
    }
}

/// Keys for PostgreSQL advisory locks, in a class of their own (`'Aegi'` as a 32-bit number) so
/// they cannot collide with another application's locks on the same server.
enum AdvisoryLock {
    static let classID = "1097164649"
    /// Held while migrating.
    static let migrations: [String?] = [classID, "1"]
    /// Held from a `change_log` insert to commit, so sequence numbers commit in order.
    static let changeLog: [String?] = [classID, "2"]
}
