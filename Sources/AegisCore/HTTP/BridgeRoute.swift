/// The endpoints of the HTTP bridge, one per kind of caller.
public enum BridgeRoute: Sendable, Equatable, CaseIterable {
    /// `GET /nginx`: an nginx `auth_request` subrequest.
    case nginx
    /// Any method, any path under the Envoy prefix: an Envoy `ext_authz` HTTP check.
    case envoy
    /// `GET /forward-auth`: Traefik ForwardAuth or Caddy `forward_auth`.
    case forwardAuth
    /// `GET /auth/protected`: the seed's own API, called by clients directly.
    case seedAPI
    /// `GET /health`.
    case health

    /// Finds the endpoint a request is for and what it asks.
    ///
    /// The Envoy prefix is tried first, so a configured prefix always means Envoy (an empty prefix
    /// or `/` sends every request to Envoy's endpoint); then the fixed paths, compared without the
    /// query.
    /// - Parameters:
    ///   - head: The parsed request.
    ///   - envoyPrefix: Envoy's `path_prefix`; a trailing `/` is ignored.
    /// - Returns: A check to run, a decision already made (a malformed check), or an answer that
    ///   belongs to no endpoint (404, 405).
    public static func route(_ head: HTTPRequestHead, envoyPrefix: String = "/envoy") -> BridgeRouting {
        if let originalPath = envoyOriginalPath(head.originForm, prefix: envoyPrefix) {
            return check(.envoy, head, path: originalPath)
        }
        let route: BridgeRoute
        switch head.path {
        case "/nginx": route = .nginx
        case "/forward-auth": route = .forwardAuth
        case "/auth/protected": route = .seedAPI
        case "/health": route = .health
        default: return .reject(.notFound)
        }
        guard head.method == "GET" else { return .reject(.methodNotAllowed(allow: "GET")) }
        if route == .health { return .check(.health, CheckRequest(kind: .health)) }
        return check(route, head, path: nil)
    }

    /// The client's path and query inside an Envoy check's target, or `nil` when the target is not
    /// under the prefix. `/envoy`, `/envoy/` and `/envoy?q` stand for `/`, `/` and `/?q`.
    static func envoyOriginalPath(_ target: Substring, prefix: String) -> Substring? {
        var prefix = prefix[...]
        while prefix.last == "/" { prefix.removeLast() }
        guard target.hasPrefix(prefix) else { return nil }
        let rest = target.dropFirst(prefix.count)
        if rest.isEmpty { return "/" }
        switch rest.first {
        case "/": return rest
        case "?": return "/" + rest
        default: return nil
        }
    }

    private static func check(_ route: BridgeRoute, _ head: HTTPRequestHead, path: Substring?) -> BridgeRouting {
        guard let cost = BridgeRequestFields.cost(head) else {
            return .decided(route, .denied(.badRequest, message: BridgeRequestFields.costMessage))
        }
        var request = BridgeRequestFields.checkRequest(for: route, head)
        request.cost = cost
        if let path { request.path = String(path) }
        return .check(route, request)
    }
}

/// Where a request goes, as `BridgeRoute.route(_:envoyPrefix:)` decides.
public enum BridgeRouting: Sendable, Equatable {
    /// Run the check (or, for `.health`, look at the dependencies) and render the result for the route.
    case check(BridgeRoute, CheckRequest)
    /// Render this decision for the route without running a check: the request was malformed for
    /// it (a bad `X-Aegis-Cost`). Its status is `bad_request`, which nginx gets as a 403.
    case decided(BridgeRoute, Decision)
    /// Answer at once; the request is for no endpoint.
    case reject(BridgeRejection)
}

/// An answer for a request that reached no endpoint.
public struct BridgeRejection: Sendable, Equatable {
    public var status: Int
    /// The body's `error`.
    public var message: String
    /// The `Allow` header of a 405.
    public var allow: String?

    public init(status: Int, message: String, allow: String? = nil) {
        self.status = status
        self.message = message
        self.allow = allow
    }

    /// 404 `{"error":"Not found"}`, the seed's answer for an unknown path.
    public static let notFound = BridgeRejection(status: 404, message: "Not found")

    /// 405 with the methods the path accepts.
    public static func methodNotAllowed(allow: String) -> BridgeRejection {
        BridgeRejection(status: 405, message: "Method not allowed", allow: allow)
    }
}
