import AegisPostgres

/// Aegis's PostgreSQL schema and every query Aegis runs against it, over one connection.
///
/// The daemon's threads each hold their own store for the hot lookups, change polling and log
/// shipping; the admin command line uses one for the plan, tenant and key operations. Every
/// change a running daemon must see at once is written to `change_log` and announced with
/// `NOTIFY aegis_changes` in the same transaction.
///
/// - Warning: Every call blocks until PostgreSQL answers. Use a store from one thread at a time,
///   never from the Swift concurrency pool.
public final class Store {
    /// The NOTIFY channel that carries `kind:target` payloads such as `tenant:<uuid>`.
    public static let changeChannel = "aegis_changes"

    /// The connection the store runs on.
    public let connection: PostgresConnection

    /// Connects to PostgreSQL.
    /// - Parameters:
    ///   - url: `DATABASE_URL`, a `postgresql://` URI or libpq `key=value` string.
    ///   - connectTimeout: seconds to wait for the server, unless the URL sets `connect_timeout`.
    /// - Throws: ``StoreError`` (`.unavailable`) when the server cannot be reached; the message
    ///   never includes the password.
    public init(url: String, connectTimeout: Int = 5) throws(StoreError) {
        guard !url.isEmpty else { throw StoreError(.invalidInput, "the database URL is empty") }
        do {
            connection = try PostgresConnection(url: url, connectTimeout: connectTimeout)
        } catch {
            throw StoreError(.unavailable, "cannot connect to PostgreSQL: \(error.message)", underlying: error)
        }
    }

    /// Uses a connection that is already open.
    public init(connection: PostgresConnection) {
        self.connection = connection
    }

    /// Runs one statement, turning PostgreSQL failures into store errors.
    @discardableResult
    func query(_ sql: String, _ parameters: [String?] = []) throws(StoreError) -> PostgresResult {
        do {
            return try connection.execute(sql, parameters)
        } catch {
            throw StoreError(error)
        }
    }

    /// Runs `body` in one transaction, rolling back if it throws.
    func transaction<T>(_ body: () throws(StoreError) -> T) throws(StoreError) -> T {
        try query("BEGIN")
        do {
            let value = try body()
            try query("COMMIT")
            return value
        } catch {
            _ = try? connection.execute("ROLLBACK")
            throw error
        }
    }

    /// Decodes a row, reporting a malformed one as a store error.
    func decode<T>(_ body: () throws(PostgresError) -> T) throws(StoreError) -> T {
        do {
            return try body()
        } catch {
            throw StoreError(.database, "unexpected data from PostgreSQL: \(error.message)", underlying: error)
        }
    }
}
