/// A failure talking to PostgreSQL.
///
/// Messages come from libpq or the server; a database URL never appears in them with its password
/// (see ``PostgresURL/redact(_:in:)``).
public struct PostgresError: Error, CustomStringConvertible, Sendable {
    /// What kind of failure this is; compare with the static members.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String {
            case connectionFailed = "connection failed"
            case queryFailed = "query failed"
            case unexpectedResult = "unexpected result"
        }

        private let base: Base

        /// The connection could not be made, or broke; a new connection is needed.
        public static let connectionFailed = Code(base: .connectionFailed)
        /// The server rejected a statement; ``PostgresError/sqlState`` says why.
        public static let queryFailed = Code(base: .queryFailed)
        /// A result did not have the shape or value type the caller expected.
        public static let unexpectedResult = Code(base: .unexpectedResult)

        public var description: String { base.rawValue }
    }

    public var code: Code
    /// The message, without a trailing newline.
    public var message: String
    /// The five-character SQLSTATE the server reported (such as `23505` for a unique violation).
    public var sqlState: String?
    /// The server's detail line, when it gave one.
    public var detail: String?
    public var file: String
    public var line: Int

    public init(
        _ code: Code, _ message: String, sqlState: String? = nil, detail: String? = nil,
        file: String = #fileID, line: Int = #line
    ) {
        self.code = code
        self.message = message
        self.sqlState = sqlState
        self.detail = detail
        self.file = file
        self.line = line
    }

    /// Whether the server refused the statement because it would duplicate a unique value.
    public var isUniqueViolation: Bool { sqlState == "23505" }

    /// Whether the statement named a table that does not exist (the schema is not migrated).
    public var isUndefinedTable: Bool { sqlState == "42P01" }

    public var description: String {
        var text = "PostgreSQL \(code): \(message)"
        if let sqlState { text += " (SQLSTATE \(sqlState))" }
        return text
    }
}
