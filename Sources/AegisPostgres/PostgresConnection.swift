internal import CLibPQ

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One blocking connection to PostgreSQL, the only owner of its libpq `PGconn`.
///
/// Statements take their values as parameters (`$1`, `$2`, … sent with `PQexecParams`), never
/// spliced into the SQL text. The connection also carries LISTEN/NOTIFY: ``socket`` can be watched
/// for readability, then ``consumeInput()`` and ``notifications()`` drain what arrived.
///
/// - Warning: Every call blocks its thread until the server answers. Use a connection from one
///   thread at a time (it may be handed from one thread to another, never shared between two),
///   and never from the Swift concurrency pool, which blocking calls would starve.
public final class PostgresConnection {
    /// libpq's `PGconn`, freed with `PQfinish` in `deinit`.
    private let handle: OpaquePointer

    /// Connects (`PQconnectdbParams`), waiting at most `connectTimeout` seconds unless the URL
    /// sets its own `connect_timeout`.
    /// - Parameters:
    ///   - url: a `postgresql://` URI or a libpq `key=value` string.
    ///   - connectTimeout: seconds, at least 2 (libpq's minimum).
    ///   - applicationName: shown in `pg_stat_activity` unless the URL names one.
    /// - Throws: ``PostgresError`` (`.connectionFailed`) with libpq's message, password removed.
    public init(url: String, connectTimeout: Int = 5, applicationName: String = "aegis") throws(PostgresError) {
        // Options before `dbname` are defaults: the expanded URL overrides them. libpq reads both
        // arrays up to a null entry.
        let keywords: [String?] = ["connect_timeout", "fallback_application_name", "dbname", nil]
        let values: [String?] = [String(max(2, connectTimeout)), applicationName, url, nil]
        let connection = withCStrings(keywords) { keywordPointers in
            withCStrings(values) { valuePointers in
                PQconnectdbParams(keywordPointers, valuePointers, 1)
            }
        }
        guard let connection else {
            throw PostgresError(.connectionFailed, "libpq could not allocate a connection")
        }
        guard PQstatus(connection) == CONNECTION_OK else {
            let message = PostgresURL.redact(url, in: Self.trimmed(PQerrorMessage(connection)))
            PQfinish(connection)
            throw PostgresError(.connectionFailed, message.isEmpty ? "could not connect" : message)
        }
        handle = connection
        // libpq prints NOTICEs (such as "already exists, skipping") to stderr unless told otherwise.
        PQsetNoticeProcessor(handle, { _, _ in }, nil)
    }

    deinit {
        PQfinish(handle)
    }

    /// Whether the connection is still usable (`PQstatus` is `CONNECTION_OK`).
    public var isConnected: Bool {
        PQstatus(handle) == CONNECTION_OK
    }

    /// The socket's file descriptor (`PQsocket`), to wait on for notifications; -1 when closed.
    public var socket: Int32 {
        PQsocket(handle)
    }

    /// Runs one statement with text parameters (`PQexecParams`).
    /// - Parameters:
    ///   - sql: one SQL statement using `$1`, `$2`, … for values.
    ///   - parameters: the values in order; `nil` is SQL NULL. NUL characters cut a value short.
    /// - Returns: the rows, or an empty result for statements without rows.
    /// - Throws: ``PostgresError``: `.queryFailed` with the server's SQLSTATE, or
    ///   `.connectionFailed` when the connection broke.
    @discardableResult
    public func execute(_ sql: String, _ parameters: [String?] = []) throws(PostgresError) -> PostgresResult {
        let result = withCStrings(parameters) { pointers in
            PQexecParams(handle, sql, Int32(parameters.count), nil, pointers, nil, nil, 0)
        }
        return try consume(result)
    }

    /// Streams `data` into a `COPY ... FROM STDIN` statement (`PQputCopyData`, `PQputCopyEnd`).
    /// - Parameters:
    ///   - sql: the COPY statement; trusted text, never user input.
    ///   - data: rows in the statement's format, whole lines only.
    /// - Returns: how many rows were copied.
    /// - Throws: ``PostgresError`` when the statement or any row is rejected; nothing is copied then.
    @discardableResult
    public func copyIn(_ sql: String, data: UnsafeRawBufferPointer) throws(PostgresError) -> Int {
        guard let start = PQexec(handle, sql) else {
            throw PostgresError(failureCode, Self.trimmed(PQerrorMessage(handle)))
        }
        guard PQresultStatus(start) == PGRES_COPY_IN else {
            try consume(start)
            throw PostgresError(.queryFailed, "not a COPY FROM STDIN statement")
        }
        PQclear(start)

        var offset = 0
        var sent = true
        while offset < data.count, sent {
            let length = min(data.count - offset, 1 << 20)
            let pointer = data.baseAddress!.advanced(by: offset).assumingMemoryBound(to: CChar.self)
            sent = PQputCopyData(handle, pointer, Int32(length)) == 1
            offset += length
        }
        PQputCopyEnd(handle, sent ? nil : "aborted by the client")
        var copied = 0
        var failure: PostgresError?
        while let result = PQgetResult(handle) {
            do {
                copied = try consume(result).affectedRows
            } catch {
                failure = failure ?? error
            }
        }
        if let failure { throw failure }
        guard sent else { throw PostgresError(failureCode, Self.trimmed(PQerrorMessage(handle))) }
        return copied
    }

    /// Runs a script of several statements (`PQexec`), for trusted SQL such as migration files.
    /// - Warning: Takes no parameters; never pass text that contains user input.
    public func executeScript(_ sql: String) throws(PostgresError) {
        try consume(PQexec(handle, sql))
    }

    /// Runs `body` between BEGIN and COMMIT, rolling back if it throws.
    /// - Throws: what `body` throws, or ``PostgresError`` from BEGIN or COMMIT.
    @discardableResult
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN")
        do {
            let value = try body()
            try execute("COMMIT")
            return value
        } catch {
            _ = try? execute("ROLLBACK")
            throw error
        }
    }

    /// Subscribes this connection to a NOTIFY channel (`LISTEN`).
    public func listen(_ channel: String) throws(PostgresError) {
        try execute("LISTEN \(try quotedIdentifier(channel))")
    }

    /// Reads whatever the server has sent without blocking (`PQconsumeInput`), so that
    /// ``notifications()`` can return it.
    /// - Throws: ``PostgresError`` (`.connectionFailed`) when the connection broke.
    public func consumeInput() throws(PostgresError) {
        guard PQconsumeInput(handle) == 1 else {
            throw PostgresError(.connectionFailed, Self.trimmed(PQerrorMessage(handle)))
        }
    }

    /// The notifications received so far (`PQnotifies`), oldest first; empties libpq's queue.
    public func notifications() -> [PostgresNotification] {
        var received: [PostgresNotification] = []
        while let notify = PQnotifies(handle) {
            defer { PQfreemem(notify) }
            received.append(
                PostgresNotification(
                    channel: String(cString: notify.pointee.relname),
                    payload: String(cString: notify.pointee.extra),
                    processID: notify.pointee.be_pid))
        }
        return received
    }

    /// Blocks until the server sends something or `timeout` passes (`poll` on ``socket``).
    /// - Returns: whether input is waiting; call ``consumeInput()`` next.
    /// - Throws: ``PostgresError`` (`.connectionFailed`) when the socket is closed or fails.
    public func waitForInput(timeout: Duration) throws(PostgresError) -> Bool {
        let descriptor = socket
        guard descriptor >= 0 else { throw PostgresError(.connectionFailed, "the connection is closed") }
        let (seconds, attoseconds) = timeout.components
        let milliseconds = Int32(clamping: seconds * 1000 + attoseconds / 1_000_000_000_000_000)
        var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        while true {
            let ready = poll(&entry, 1, milliseconds)
            if ready >= 0 { return ready > 0 }
            guard errno == EINTR else {
                throw PostgresError(.connectionFailed, "poll failed: \(String(cString: strerror(errno)))")
            }
        }
    }

    /// `PQescapeIdentifier`: the name double-quoted, safe to place in SQL text.
    public func quotedIdentifier(_ name: String) throws(PostgresError) -> String {
        guard let escaped = PQescapeIdentifier(handle, name, name.utf8.count) else {
            throw PostgresError(.queryFailed, Self.trimmed(PQerrorMessage(handle)))
        }
        defer { PQfreemem(escaped) }
        return String(cString: escaped)
    }

    /// Copies a `PGresult` into Swift values and clears it, or turns its failure into an error.
    @discardableResult
    private func consume(_ result: OpaquePointer?) throws(PostgresError) -> PostgresResult {
        guard let result else {
            throw PostgresError(failureCode, Self.trimmed(PQerrorMessage(handle)))
        }
        defer { PQclear(result) }

        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
            return Self.read(result)
        default:
            // The primary message alone reads better than the full report with its LINE context.
            let sqlState = Self.field(result, "C")
            let message = Self.field(result, "M") ?? Self.trimmed(PQresultErrorMessage(result))
            throw PostgresError(
                sqlState == nil ? failureCode : .queryFailed, message, sqlState: sqlState,
                detail: Self.field(result, "D"))
        }
    }

    /// A failure without a server error is the connection's when it is no longer usable.
    private var failureCode: PostgresError.Code {
        isConnected ? .queryFailed : .connectionFailed
    }

    private static func read(_ result: OpaquePointer) -> PostgresResult {
        let columnCount = PQnfields(result)
        let rowCount = PQntuples(result)
        let columns = (0..<columnCount).map { String(cString: PQfname(result, $0)) }
        let rows = (0..<rowCount).map { row in
            PostgresRow(
                values: (0..<columnCount).map { column in
                    PQgetisnull(result, row, column) == 1 ? nil : String(cString: PQgetvalue(result, row, column))
                })
        }
        let affected = Int(String(cString: PQcmdTuples(result))) ?? 0
        return PostgresResult(columns: columns, rows: rows, affectedRows: affected)
    }

    /// `PQresultErrorField`; `code` is one of libpq's `PG_DIAG_*` letters.
    private static func field(_ result: OpaquePointer, _ code: Unicode.Scalar) -> String? {
        PQresultErrorField(result, Int32(code.value)).map { String(cString: $0) }
    }

    /// libpq's message on one line: its continuation lines (`\n\t` hints) joined with spaces, so a
    /// log entry stays one line.
    private static func trimmed(_ message: UnsafePointer<CChar>?) -> String {
        guard let message else { return "" }
        return String(cString: message).split(whereSeparator: \.isNewline)
            .map { $0.drop(while: \.isWhitespace) }
            .filter { !$0.isEmpty }
            .joined(separator: " ")
    }
}

/// One NOTIFY received on a channel this connection listens to.
public struct PostgresNotification: Sendable, Equatable {
    public var channel: String
    public var payload: String
    /// The server process that sent it.
    public var processID: Int32

    public init(channel: String, payload: String, processID: Int32) {
        self.channel = channel
        self.payload = payload
        self.processID = processID
    }
}

/// Calls `body` with a C array of NUL-terminated strings (`nil` stays a null pointer) that lives
/// only for the call.
private func withCStrings<R>(_ strings: [String?], _ body: (UnsafePointer<UnsafePointer<CChar>?>?) -> R) -> R {
    var storage: [CChar] = []
    var offsets: [Int?] = []
    for string in strings {
        guard let string else {
            offsets.append(nil)
            continue
        }
        offsets.append(storage.count)
        storage.append(contentsOf: string.utf8.map { CChar(bitPattern: $0) })
        storage.append(0)
    }
    return storage.withUnsafeBufferPointer { buffer in
        let pointers: [UnsafePointer<CChar>?] = offsets.map { offset in
            offset.map { buffer.baseAddress! + $0 }
        }
        return pointers.withUnsafeBufferPointer { body($0.baseAddress) }
    }
}
