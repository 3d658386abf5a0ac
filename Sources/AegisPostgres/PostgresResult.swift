/// The rows a statement returned, copied out of libpq's `PGresult` (which is cleared at once).
///
/// Values are in PostgreSQL's text format; the typed accessors on ``PostgresRow`` parse them.
public struct PostgresResult: Sendable {
    /// Column names in order.
    public var columns: [String]
    public var rows: [PostgresRow]
    /// The count `PQcmdTuples` reports for INSERT, UPDATE, DELETE and the like; 0 otherwise.
    public var affectedRows: Int

    public init(columns: [String], rows: [PostgresRow], affectedRows: Int) {
        self.columns = columns
        self.rows = rows
        self.affectedRows = affectedRows
    }

    /// The only row, or `nil` when there is none.
    /// - Throws: ``PostgresError`` (`.unexpectedResult`) when there is more than one.
    public func singleRow() throws(PostgresError) -> PostgresRow? {
        guard rows.count <= 1 else {
            throw PostgresError(.unexpectedResult, "expected at most one row, got \(rows.count)")
        }
        return rows.first
    }
}

/// One row of text values; `nil` is SQL NULL.
public struct PostgresRow: Sendable {
    public var values: [String?]

    public init(values: [String?]) {
        self.values = values
    }

    /// The value in a column, or `nil` for NULL.
    /// - Throws: ``PostgresError`` when the column does not exist.
    public func optionalString(_ column: Int) throws(PostgresError) -> String? {
        guard values.indices.contains(column) else {
            throw PostgresError(.unexpectedResult, "no column \(column) in a row of \(values.count)")
        }
        return values[column]
    }

    /// The value in a column that must not be NULL.
    public func string(_ column: Int) throws(PostgresError) -> String {
        guard let value = try optionalString(column) else {
            throw PostgresError(.unexpectedResult, "column \(column) is NULL")
        }
        return value
    }

    /// An integer column (`smallint`, `integer`, `bigint`).
    public func int64(_ column: Int) throws(PostgresError) -> Int64 {
        let text = try string(column)
        guard let value = Int64(text) else {
            throw PostgresError(.unexpectedResult, "column \(column) is not an integer: \(text)")
        }
        return value
    }

    /// An integer column that may be NULL.
    public func optionalInt64(_ column: Int) throws(PostgresError) -> Int64? {
        guard try optionalString(column) != nil else { return nil }
        return try int64(column)
    }

    /// An integer column that fits `Int`.
    public func int(_ column: Int) throws(PostgresError) -> Int {
        Int(try int64(column))
    }

    /// A `boolean` column (`t` or `f`).
    public func bool(_ column: Int) throws(PostgresError) -> Bool {
        switch try string(column) {
        case "t": return true
        case "f": return false
        case let text: throw PostgresError(.unexpectedResult, "column \(column) is not a boolean: \(text)")
        }
    }
}
