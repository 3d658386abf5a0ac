import AegisPostgres
import Foundation

extension Store {
    /// SQL for a `timestamptz` column as whole milliseconds since the Unix epoch.
    static func epochMilliseconds(_ column: String) -> String {
        "(extract(epoch FROM \(column)) * 1000)::bigint"
    }

    /// Reads a column written with ``epochMilliseconds(_:)``.
    static func date(_ row: PostgresRow, _ column: Int) throws(PostgresError) -> Date {
        Date(timeIntervalSince1970: Double(try row.int64(column)) / 1000)
    }

    /// Reads a nullable column written with ``epochMilliseconds(_:)``.
    static func optionalDate(_ row: PostgresRow, _ column: Int) throws(PostgresError) -> Date? {
        try row.optionalInt64(column).map { Date(timeIntervalSince1970: Double($0) / 1000) }
    }

    static func notFound(_ what: String, _ reference: String) -> StoreError {
        if Validate.isUUID(reference) {
            return StoreError(.notFound, "no \(what) has id \(reference)")
        }
        return StoreError(.notFound, "no \(what) is named '\(reference)'")
    }

    /// Runs a statement that writes a unique name, reporting a clash as `.alreadyExists`.
    @discardableResult
    func uniqueName(
        _ name: String, _ what: String, _ body: () throws(StoreError) -> PostgresResult
    ) throws(StoreError) -> PostgresResult {
        do {
            return try body()
        } catch {
            guard error.underlying?.isUniqueViolation == true else { throw error }
            throw StoreError(.alreadyExists, "a \(what) named '\(name)' already exists", underlying: error.underlying)
        }
    }
}
