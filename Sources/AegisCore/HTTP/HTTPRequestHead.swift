/// The protocol versions the bridge accepts.
public enum HTTPVersion: Sendable, Equatable {
    /// HTTP/1.0
    case http10
    /// HTTP/1.1
    case http11
}

/// How a request's body is delimited; the bridge reads and drops it either way.
public enum HTTPBodyFraming: Sendable, Equatable {
    case none
    case contentLength(Int)
    case chunked
}

/// A parsed request line and header section.
public struct HTTPRequestHead: Sendable, Equatable {
    public var method: String
    /// The request target exactly as sent (origin-form, absolute-form or `*`).
    public var target: String
    public var version: HTTPVersion
    /// Every header field in order, names lower-cased, values without surrounding whitespace.
    public var headers: [Header]
    /// Whether the connection may carry another request after this one's response.
    public var keepAlive: Bool
    public var body: HTTPBodyFraming

    public init(
        method: String, target: String, version: HTTPVersion = .http11, headers: [Header] = [],
        keepAlive: Bool = true, body: HTTPBodyFraming = .none
    ) {
        self.method = method
        self.target = target
        self.version = version
        self.headers = headers
        self.keepAlive = keepAlive
        self.body = body
    }

    /// The value of the first field named `name`, which must be given in lower case.
    public func header(_ name: String) -> String? {
        headers.first { $0.name == name }?.value
    }

    /// The values of every field named `name` (lower case), in order.
    public func headers(named name: String) -> [String] {
        headers.compactMap { $0.name == name ? $0.value : nil }
    }

    /// The target as path plus query, with any `scheme://authority` of the absolute-form removed.
    public var originForm: Substring {
        guard target.first != "/", let colon = target.firstIndex(of: ":"),
            target[colon...].hasPrefix("://")
        else { return target[...] }
        let authorityAndRest = target[colon...].dropFirst(3)
        guard let slash = authorityAndRest.firstIndex(where: { $0 == "/" || $0 == "?" }) else { return "/" }
        return authorityAndRest[slash...]
    }

    /// The path of the target, without its query.
    public var path: Substring {
        let origin = originForm
        let path = origin[..<(origin.firstIndex(of: "?") ?? origin.endIndex)]
        return path.isEmpty ? "/" : path
    }
}
