/// Why talking to Redis failed.
///
/// Messages never carry a password, a URL with credentials or a command's arguments, so they are
/// safe to log.
public struct RedisError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kind of failure; compare against the static members.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: Hashable, Sendable {
            case invalidURL, connect, timeout, io, closed, protocolError, server, unexpectedReply, resource
        }

        private let base: Base

        /// `REDIS_URL` (or a URL given elsewhere) could not be parsed.
        public static let invalidURL = Code(base: .invalidURL)
        /// Name resolution or the TCP/Unix connect failed.
        public static let connect = Code(base: .connect)
        /// Connecting, sending or waiting for a reply took longer than allowed.
        public static let timeout = Code(base: .timeout)
        /// A socket read or write failed.
        public static let io = Code(base: .io)
        /// The server closed the connection, or an earlier failure left it unusable.
        public static let closed = Code(base: .closed)
        /// The bytes from the server are not valid RESP.
        public static let protocolError = Code(base: .protocolError)
        /// The server answered with an error reply where success was required (AUTH, SELECT, ...).
        public static let server = Code(base: .server)
        /// A well-formed reply of a shape the caller does not expect.
        public static let unexpectedReply = Code(base: .unexpectedReply)
        /// A bundled resource (the limiter script) could not be read.
        public static let resource = Code(base: .resource)

        public var description: String {
            switch base {
            case .invalidURL: "invalid Redis URL"
            case .connect: "cannot connect to Redis"
            case .timeout: "Redis timed out"
            case .io: "Redis I/O error"
            case .closed: "Redis connection closed"
            case .protocolError: "Redis protocol error"
            case .server: "Redis error reply"
            case .unexpectedReply: "unexpected Redis reply"
            case .resource: "missing resource"
            }
        }
    }

    public var code: Code
    /// What went wrong, in words safe to log.
    public var message: String
    /// The `errno` value behind a system-call failure, when there is one.
    public var errno: Int32?

    public init(_ code: Code, _ message: String, errno: Int32? = nil) {
        self.code = code
        self.message = message
        self.errno = errno
    }

    /// For example `cannot connect to Redis: 127.0.0.1:6379: Connection refused`.
    public var description: String { "\(code): \(message)" }
}
