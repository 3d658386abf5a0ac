internal import CHiredis

/// Parses RESP replies from bytes the caller reads itself, using hiredis' reader as the codec.
///
/// Made for an event loop: feed whatever a non-blocking `read` returned, then call ``next()``
/// until it returns `nil` (a partial reply stays buffered until the rest arrives). One reader per
/// connection; it is not thread-safe. After a protocol error the stream cannot be resynchronised:
/// every later call throws the same error and the connection should be closed.
public final class RedisReplyReader {
    /// The hiredis reader (`redisReaderCreate`); this object is its only owner.
    private let reader: UnsafeMutablePointer<redisReader>

    /// - Throws: ``RedisError/Code/protocolError`` when hiredis cannot allocate its reader.
    public init() throws(RedisError) {
        guard let reader = redisReaderCreate() else {
            throw RedisError(.protocolError, "cannot allocate the reply reader")
        }
        self.reader = reader
    }

    deinit {
        redisReaderFree(reader)
    }

    /// Appends received bytes (`redisReaderFeed`); they are copied.
    /// - Throws: ``RedisError/Code/protocolError`` when the reader already failed.
    public func feed(_ bytes: UnsafeRawBufferPointer) throws(RedisError) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        let status = redisReaderFeed(reader, base.assumingMemoryBound(to: CChar.self), bytes.count)
        if status != REDIS_OK {
            throw currentError()
        }
    }

    /// Appends received bytes; they are copied.
    public func feed(_ bytes: [UInt8]) throws(RedisError) {
        let result: Result<Void, RedisError> = bytes.withUnsafeBytes { raw in
            do throws(RedisError) {
                try feed(raw)
                return .success(())
            } catch {
                return .failure(error)
            }
        }
        try result.get()
    }

    /// The next complete reply, or `nil` when more bytes are needed (`redisReaderGetReply`).
    /// - Throws: ``RedisError/Code/protocolError`` on bytes that are not RESP.
    public func next() throws(RedisError) -> RedisReply? {
        var object: UnsafeMutableRawPointer?
        guard redisReaderGetReply(reader, &object) == REDIS_OK else {
            throw currentError()
        }
        guard let object else { return nil }
        defer { freeReplyObject(object) }
        return try Self.convert(object.assumingMemoryBound(to: redisReply.self))
    }

    private func currentError() -> RedisError {
        let text = withUnsafeBytes(of: &reader.pointee.errstr) { raw in
            let bytes = raw.prefix { $0 != 0 }
            return String(decoding: bytes, as: UTF8.self)
        }
        return RedisError(.protocolError, text.isEmpty ? "malformed reply" : text)
    }

    /// Copies a hiredis reply tree into Swift values. hiredis refuses nesting deeper than seven
    /// levels, so the recursion is bounded.
    private static func convert(_ reply: UnsafePointer<redisReply>) throws(RedisError) -> RedisReply {
        let node = reply.pointee
        switch node.type {
        case REDIS_REPLY_STRING:
            return .bulk(bytes(node.str, node.len))
        case REDIS_REPLY_STATUS:
            return .status(String(decoding: bytes(node.str, node.len), as: UTF8.self))
        case REDIS_REPLY_ERROR:
            return .error(String(decoding: bytes(node.str, node.len), as: UTF8.self))
        case REDIS_REPLY_INTEGER:
            return .integer(Int64(node.integer))
        case REDIS_REPLY_NIL:
            return .null
        case REDIS_REPLY_ARRAY:
            guard node.elements == 0 || node.element != nil else {
                throw RedisError(.protocolError, "array reply without elements")
            }
            var elements: [RedisReply] = []
            elements.reserveCapacity(node.elements)
            for index in 0..<node.elements {
                guard let child = node.element[index] else {
                    throw RedisError(.protocolError, "array reply with a missing element")
                }
                elements.append(try convert(child))
            }
            return .array(elements)
        default:
            throw RedisError(.protocolError, "unknown reply type \(node.type)")
        }
    }

    private static func bytes(_ pointer: UnsafeMutablePointer<CChar>?, _ length: Int) -> [UInt8] {
        guard let pointer, length > 0 else { return [] }
        return Array(UnsafeRawBufferPointer(start: pointer, count: length))
    }
}
