import AegisPostgres

/// Why a store operation failed. The message is meant for an operator and never holds a raw key
/// or a password.
public struct StoreError: Error, CustomStringConvertible, Sendable {
    /// What kind of failure this is; compare with the static members.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String {
            case notFound = "not found"
            case alreadyExists = "already exists"
            case invalidInput = "invalid input"
            case notMigrated = "not migrated"
            case unavailable
            case migrationFailed = "migration failed"
            case database
        }

        private let base: Base

        /// No plan, tenant or key matches the id or name given.
        public static let notFound = Code(base: .notFound)
        /// A plan or tenant with that name exists already.
        public static let alreadyExists = Code(base: .alreadyExists)
        /// A value is out of range or malformed.
        public static let invalidInput = Code(base: .invalidInput)
        /// The database lacks the schema; `aegis migrate` has not run.
        public static let notMigrated = Code(base: .notMigrated)
        /// PostgreSQL cannot be reached or the connection broke; retry on a new connection.
        public static let unavailable = Code(base: .unavailable)
        /// A migration file is missing, malformed or failed to apply.
        public static let migrationFailed = Code(base: .migrationFailed)
        /// PostgreSQL refused a statement for another reason.
        public static let database = Code(base: .database)

        public var description: String { base.rawValue }
    }

    public var code: Code
    public var message: String
    /// The PostgreSQL failure behind this one, if any.
    public var underlying: PostgresError?

    public init(_ code: Code, _ message: String, underlying: PostgresError? = nil) {
        self.code = code
        self.message = message
        self.underlying = underlying
    }

    /// Classifies a PostgreSQL failure.
    public init(_ error: PostgresError) {
        switch error.code {
        case .connectionFailed:
            self.init(.unavailable, error.message, underlying: error)
        case _ where error.isUndefinedTable:
            self.init(.notMigrated, "the database has no Aegis schema; run `aegis migrate` first", underlying: error)
        case _ where error.sqlState == "23514" || error.sqlState?.hasPrefix("22") == true:
            self.init(.invalidInput, error.message, underlying: error)
        default:
            self.init(.database, error.message, underlying: error)
        }
    }

    public var description: String { message }
}
