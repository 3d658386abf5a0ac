/// Where a Redis server is and how to log in to it, parsed from a `REDIS_URL`.
///
/// Accepted forms:
/// - `redis://[user:password@]host[:port][/db]` (`[::1]` for an IPv6 literal; port 6379 by
///   default; `:password@` without a user authenticates as the default user),
/// - `unix://[user:password@]/path/to/redis.sock[?db=N]`.
///
/// User and password may be percent-encoded. ``description`` never shows the password.
public struct RedisEndpoint: Sendable, Equatable, CustomStringConvertible {
    /// How to reach the server.
    public enum Address: Sendable, Equatable {
        case tcp(host: String, port: Int)
        case unix(path: String)
    }

    public var address: Address
    /// The ACL user for `AUTH`; `nil` means the default user.
    public var username: String?
    /// Sent with `AUTH` right after connecting, when set.
    public var password: String?
    /// Selected with `SELECT` right after connecting, when not 0.
    public var database: Int

    public static let defaultPort = 6379

    public init(address: Address, username: String? = nil, password: String? = nil, database: Int = 0) {
        self.address = address
        self.username = username
        self.password = password
        self.database = database
    }

    /// Parses a `redis://` or `unix://` URL.
    /// - Throws: ``RedisError/Code/invalidURL`` naming what is wrong, never echoing credentials.
    public init(url: String) throws(RedisError) {
        var parser = RedisURLParser(url)
        self = try parser.parse()
    }

    /// For example `redis://app:***@cache.internal:6379/2` or `unix:///run/redis.sock?db=1`.
    public var description: String {
        var credentials = ""
        if password != nil {
            credentials = "\(username ?? ""):***@"
        } else if let username {
            credentials = "\(username)@"
        }
        switch address {
        case .tcp(let host, let port):
            let shownHost = host.contains(":") ? "[\(host)]" : host
            return "redis://\(credentials)\(shownHost):\(port)" + (database == 0 ? "" : "/\(database)")
        case .unix(let path):
            return "unix://\(credentials)\(path)" + (database == 0 ? "" : "?db=\(database)")
        }
    }

    /// Appends the commands a new connection must send before anything else: `AUTH` when a
    /// password is set, `SELECT` when the database is not 0.
    /// - Returns: How many replies they produce; pass each to ``checkHandshakeReply(_:)``.
    public func appendHandshake(to buffer: inout [UInt8]) -> Int {
        var count = 0
        if let password {
            if let username {
                RESPWriter.appendCommand(["AUTH", username, password], to: &buffer)
            } else {
                RESPWriter.appendCommand(["AUTH", password], to: &buffer)
            }
            count += 1
        }
        if database != 0 {
            RESPWriter.appendCommand(["SELECT", String(database)], to: &buffer)
            count += 1
        }
        return count
    }

    /// Accepts a reply to a handshake command.
    /// - Throws: ``RedisError/Code/server`` for an error reply (wrong password, no such
    ///   database), ``RedisError/Code/unexpectedReply`` for anything but `+OK`.
    public static func checkHandshakeReply(_ reply: RedisReply) throws(RedisError) {
        switch reply {
        case .status("OK"):
            return
        case .error(let message):
            throw RedisError(.server, "login to Redis refused: \(message)")
        default:
            throw RedisError(.unexpectedReply, "login to Redis got an unexpected reply")
        }
    }
}
