/// The grammar behind ``RedisEndpoint/init(url:)``, kept apart so the endpoint stays a plain value.
struct RedisURLParser {
    private let url: String

    init(_ url: String) {
        self.url = url
    }

    mutating func parse() throws(RedisError) -> RedisEndpoint {
        guard let schemeEnd = url.range(of: "://") else {
            throw invalid("expected redis://host[:port][/db] or unix:///path/to/redis.sock")
        }
        let scheme = url[..<schemeEnd.lowerBound].lowercased()
        let rest = url[schemeEnd.upperBound...]
        switch scheme {
        case "redis":
            return try parseTCP(rest)
        case "unix":
            return try parseUnix(rest)
        case "rediss":
            throw invalid("TLS (rediss://) is not supported; use redis:// or unix://")
        default:
            throw invalid("unsupported scheme '\(scheme)'; use redis:// or unix://")
        }
    }

    private func parseTCP(_ text: Substring) throws(RedisError) -> RedisEndpoint {
        if text.contains("?") || text.contains("#") {
            throw invalid("redis:// URLs take no query or fragment; give the database as /N")
        }
        let authorityEnd = text.firstIndex(of: "/") ?? text.endIndex
        let (username, password, hostPort) = try splitCredentials(text[..<authorityEnd])
        let (host, port) = try parseHostPort(hostPort)

        var database = 0
        if authorityEnd < text.endIndex {
            let path = text[text.index(after: authorityEnd)...]
            if !path.isEmpty {
                database = try parseDatabase(path)
            }
        }
        return RedisEndpoint(
            address: .tcp(host: host, port: port), username: username, password: password,
            database: database)
    }

    private func parseUnix(_ text: Substring) throws(RedisError) -> RedisEndpoint {
        if text.contains("#") {
            throw invalid("unix:// URLs take no fragment")
        }
        let queryStart = text.firstIndex(of: "?") ?? text.endIndex
        var location = text[..<queryStart]
        var username: String?
        var password: String?
        if !location.hasPrefix("/") {
            guard let at = location.range(of: "@/")?.lowerBound else {
                throw invalid("expected an absolute socket path, as in unix:///run/redis.sock")
            }
            (username, password, _) = try splitCredentials(location[...at])
            location = location[location.index(after: at)...]
        }
        guard location.hasPrefix("/"), location.count > 1 else {
            throw invalid("expected an absolute socket path, as in unix:///run/redis.sock")
        }
        guard let path = Self.percentDecode(location) else {
            throw invalid("bad percent-encoding in the socket path")
        }
        // sockaddr_un holds 108 bytes including the terminating NUL.
        guard path.utf8.count <= 107 else {
            throw invalid("socket path longer than 107 bytes")
        }
        guard !path.utf8.contains(0) else {
            throw invalid("socket path contains a NUL byte")
        }

        var database = 0
        if queryStart < text.endIndex {
            for pair in text[text.index(after: queryStart)...].split(separator: "&") {
                guard pair.hasPrefix("db=") else {
                    throw invalid("unknown option '\(pair.prefix { $0 != "=" })'; only db=N is supported")
                }
                database = try parseDatabase(pair.dropFirst(3))
            }
        }
        return RedisEndpoint(address: .unix(path: path), username: username, password: password, database: database)
    }

    /// Splits `user:password@rest`; the password is never put into an error message.
    private func splitCredentials(
        _ authority: Substring
    ) throws(RedisError) -> (username: String?, password: String?, rest: Substring) {
        guard let at = authority.lastIndex(of: "@") else {
            return (nil, nil, authority)
        }
        let userinfo = authority[..<at]
        guard let colon = userinfo.firstIndex(of: ":") else {
            throw invalid("credentials must be written user:password@ or :password@")
        }
        guard let user = Self.percentDecode(userinfo[..<colon]),
            let password = Self.percentDecode(userinfo[userinfo.index(after: colon)...])
        else {
            throw invalid("bad percent-encoding in the credentials")
        }
        guard !password.isEmpty else {
            throw invalid("empty password; leave out the credentials to connect without AUTH")
        }
        return (user.isEmpty ? nil : user, password, authority[authority.index(after: at)...])
    }

    private func parseHostPort(_ text: Substring) throws(RedisError) -> (String, Int) {
        var host: Substring
        var portText: Substring?
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else {
                throw invalid("unterminated [ in an IPv6 address")
            }
            host = text[text.index(after: text.startIndex)..<close]
            let after = text[text.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw invalid("unexpected text after the IPv6 address") }
                portText = after.dropFirst()
            }
        } else if let colon = text.firstIndex(of: ":") {
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
        } else {
            host = text
        }
        guard !host.isEmpty else {
            throw invalid("missing host, as in redis://127.0.0.1:6379")
        }
        var port = RedisEndpoint.defaultPort
        if let portText {
            guard let value = Self.decimal(portText), (1...65535).contains(value) else {
                throw invalid("port must be a number from 1 to 65535")
            }
            port = value
        }
        return (String(host), port)
    }

    private func parseDatabase(_ text: Substring) throws(RedisError) -> Int {
        guard let value = Self.decimal(text), value <= Int(Int32.max) else {
            throw invalid("database must be a non-negative number")
        }
        return value
    }

    private func invalid(_ reason: String) -> RedisError {
        RedisError(.invalidURL, reason)
    }

    /// Digits only: no sign, no spaces, at most nine of them (which also rules out overflow).
    private static func decimal(_ text: Substring) -> Int? {
        guard !text.isEmpty, text.utf8.count <= 9, text.utf8.allSatisfy({ (0x30...0x39).contains($0) }) else {
            return nil
        }
        return Int(text)
    }

    private static func percentDecode(_ text: Substring) -> String? {
        var bytes: [UInt8] = []
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
                return nil
            }
            bytes.append(high << 4 | low)
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: byte - 0x30
        case 0x41...0x46: byte - 0x41 + 10
        case 0x61...0x66: byte - 0x61 + 10
        default: nil
        }
    }
}
