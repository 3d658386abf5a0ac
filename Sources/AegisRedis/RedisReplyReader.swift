internal import CHiredis

/// Parses RESP replies from bytes the caller reads itself, using hiredis' reader as the codec.
///
/// Made for an event loop: feed whatever a non-blocking `read` returned, then call ``next()``
/// until it returns `nil` (a partial reply stays buffered until the rest arrives). One reader per
/// connection; it is not thread-safe. After a protocol error the stream cannot be resynchronised:
/// every later call throws the same error and the connection should be closed.
public final class RedisReplyReader {
    /// The hiredis reader (`redisReaderCreateWithFunctions`); this object is its only owner.
    private let reader: UnsafeMutablePointer<redisReader>
    /// Receives hiredis' parser callbacks; the reader's `privdata` points at it. Owned here,
    /// freed in `deinit`.
    private let builder: UnsafeMutablePointer<ReplyBuilder>
    /// Bytes fed but not yet handed to hiredis, from `pendingStart` on.
    private var pending: [UInt8] = []
    private var pendingStart = 0

    /// hiredis moves its unread bytes to the front after every kilobyte it consumes, so a large
    /// read given to it whole would be moved again and again; it gets slices this size instead.
    private static let slice = 2048

    /// - Throws: ``RedisError/Code/protocolError`` when hiredis cannot allocate its reader.
    public init() throws(RedisError) {
        guard let reader = redisReaderCreateWithFunctions(ReplyBuilder.functions) else {
            throw RedisError(.protocolError, "cannot allocate the reply reader")
        }
        self.reader = reader
        builder = .allocate(capacity: 1)
        builder.initialize(to: ReplyBuilder())
        reader.pointee.privdata = UnsafeMutableRawPointer(builder)
    }

    deinit {
        redisReaderFree(reader)
        builder.deinitialize(count: 1)
        builder.deallocate()
    }

    /// Appends received bytes; they are copied.
    /// - Throws: ``RedisError/Code/protocolError`` when the reader already failed.
    public func feed(_ bytes: UnsafeRawBufferPointer) throws(RedisError) {
        if reader.pointee.err != 0 {
            throw currentError()
        }
        if pendingStart == pending.count {
            pending.removeAll(keepingCapacity: true)
            pendingStart = 0
        } else if pendingStart > pending.count / 2 {
            pending.removeFirst(pendingStart)
            pendingStart = 0
        }
        pending.append(contentsOf: bytes)
    }

    /// Appends received bytes; they are copied.
    public func feed(_ bytes: [UInt8]) throws(RedisError) {
        let result: Result<Void, RedisError> = bytes.withUnsafeBytes { raw in
            Result { () throws(RedisError) in try feed(raw) }
        }
        try result.get()
    }

    /// The next complete reply, or `nil` when more bytes are needed (`redisReaderGetReply`).
    /// - Throws: ``RedisError/Code/protocolError`` on bytes that are not RESP.
    public func next() throws(RedisError) -> RedisReply? {
        while true {
            var object: UnsafeMutableRawPointer?
            guard redisReaderGetReply(reader, &object) == REDIS_OK else {
                throw currentError()
            }
            if object != nil, let reply = builder.pointee.take() {
                return reply
            }
            guard pendingStart < pending.count else {
                return nil
            }
            let end = min(pending.count, pendingStart + Self.slice)
            let status = pending.withUnsafeBytes { raw in
                redisReaderFeed(
                    reader, raw.baseAddress!.assumingMemoryBound(to: CChar.self) + pendingStart,
                    end - pendingStart)
            }
            pendingStart = end
            if status != REDIS_OK {
                throw currentError()
            }
        }
    }

    private func currentError() -> RedisError {
        let text = withUnsafeBytes(of: &reader.pointee.errstr) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
        return RedisError(.protocolError, text.isEmpty ? "malformed reply" : text)
    }
}
