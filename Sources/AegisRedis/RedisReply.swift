/// One RESP2 reply, decoded into Swift values that own their memory.
public enum RedisReply: Sendable, Equatable {
    /// A simple string such as `OK` or `PONG`.
    case status(String)
    /// An error reply such as `NOSCRIPT No matching script...`; a value, not a thrown error, so
    /// that one failed command in a pipeline does not hide the replies around it.
    case error(String)
    case integer(Int64)
    /// A bulk string; binary-safe.
    case bulk([UInt8])
    /// The null bulk string or null array.
    case null
    case array([RedisReply])
}

extension RedisReply {
    /// A bulk reply holding the UTF-8 of `text`; handy in tests and comparisons.
    public static func bulk(_ text: String) -> RedisReply { .bulk(Array(text.utf8)) }

    /// The text of a status or bulk reply (bulk bytes decoded as UTF-8, invalid bytes repaired).
    public var string: String? {
        switch self {
        case .status(let text): text
        case .bulk(let bytes): String(decoding: bytes, as: UTF8.self)
        default: nil
        }
    }

    /// The value of an integer reply, or of a bulk/status reply holding a decimal integer.
    public var int64: Int64? {
        switch self {
        case .integer(let value): value
        case .bulk, .status: string.flatMap { Int64($0) }
        default: nil
        }
    }

    /// Whether this is the `NOSCRIPT` error that EVALSHA gives for a script the server has not
    /// cached (after a restart or `SCRIPT FLUSH`).
    public var isNoScript: Bool {
        if case .error(let message) = self { return message.hasPrefix("NOSCRIPT") }
        return false
    }
}
