import Testing

@testable import AegisCore

/// Requests shaped as each proxy sends them, through the parser and the router.
@Suite struct BridgeRouteTests {
    private func route(_ request: String, envoyPrefix: String = "/envoy") throws -> BridgeRouting {
        let head = try #require(parseHead(request), "does not parse: \(request)")
        return BridgeRoute.route(head, envoyPrefix: envoyPrefix)
    }

    /// nginx `auth_request` with the shipped config: a GET to the auth location's `proxy_pass` URI,
    /// Host the upstream's name, the `proxy_set_header` fields first, then every client header
    /// (Content-Length and Transfer-Encoding cleared, Connection removed).
    @Test func mapsAnNginxSubrequest() throws {
        let request =
            "GET /nginx HTTP/1.1\r\nHost: aegis\r\nX-Original-Method: POST\r\n"
            + "X-Original-URI: /api/items?id=7&sort=asc\r\nX-Real-IP: 203.0.113.9\r\n"
            + "X-Forwarded-For: 198.51.100.4, 203.0.113.9\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\n"
            + "x-api-key: ak_nginxKey\r\nContent-Type: application/json\r\n\r\n"
        let expected = CheckRequest(
            apiKey: "ak_nginxKey", method: "POST", path: "/api/items?id=7&sort=asc", host: "aegis",
            clientIP: "203.0.113.9")
        #expect(try route(request) == .check(.nginx, expected))
    }

    @Test func prefersTheOriginalHostForNginxWhenTheConfigPassesIt() throws {
        let request =
            "GET /nginx HTTP/1.1\r\nHost: aegis\r\nX-Original-Host: shop.example\r\nX-Original-Method: GET\r\n"
            + "X-Original-URI: /\r\nX-Forwarded-For: 198.51.100.4, 10.0.0.2\r\n\r\n"
        guard case .check(.nginx, let check) = try route(request) else {
            Issue.record("not an nginx check")
            return
        }
        #expect(check.host == "shop.example")
        #expect(check.clientIP == "198.51.100.4")
        #expect(check.apiKey == nil)
    }

    /// Envoy `ext_authz` over HTTP/1.1: the client's method, the prefix plus the original path and
    /// query, `host` the original authority, lower-case names, `content-length: 0`, and only the
    /// allowed headers besides Authorization.
    @Test func mapsAnEnvoyCheck() throws {
        let request =
            "DELETE /envoy/api/items/7?force=1 HTTP/1.1\r\nhost: shop.example.com\r\n"
            + "authorization: Bearer ak_envoyKey\r\nx-forwarded-for: 198.51.100.4,203.0.113.9\r\n"
            + "x-envoy-expected-rq-timeout-ms: 200\r\ncontent-length: 0\r\n\r\n"
        let expected = CheckRequest(
            apiKey: "ak_envoyKey", method: "DELETE", path: "/api/items/7?force=1", host: "shop.example.com",
            clientIP: "203.0.113.9")
        #expect(try route(request) == .check(.envoy, expected))
    }

    @Test func takesTheKeyFromXAPIKeyWhenEnvoyIsAllowedToSendIt() throws {
        let request =
            "GET /envoy/ HTTP/1.1\r\nhost: shop.example.com\r\nx-api-key: ak_allowed\r\n"
            + "x-envoy-external-address: 203.0.113.10\r\nx-forwarded-for: 203.0.113.10\r\ncontent-length: 0\r\n\r\n"
        let expected = CheckRequest(
            apiKey: "ak_allowed", method: "GET", path: "/", host: "shop.example.com", clientIP: "203.0.113.10")
        #expect(try route(request) == .check(.envoy, expected))
    }

    @Test(arguments: [
        ("/envoy", "/envoy", "/"),
        ("/envoy?q=1", "/envoy", "/?q=1"),
        ("/envoy/a/b", "/envoy/", "/a/b"),
        ("/authz/x", "/authz", "/x"),
        ("/health", "", "/health"),
        ("/nginx?x", "/", "/nginx?x"),
    ])
    func stripsTheEnvoyPrefix(target: String, prefix: String, path: String) throws {
        let routing = try route("PATCH \(target) HTTP/1.1\r\nhost: h\r\ncontent-length: 0\r\n\r\n", envoyPrefix: prefix)
        guard case .check(.envoy, let check) = routing else {
            Issue.record("\(target) not routed to Envoy: \(routing)")
            return
        }
        #expect(check.path == path)
        #expect(check.method == "PATCH")
    }

    /// Traefik ForwardAuth: a GET to the configured address with Go's canonical header names, the
    /// client's headers, and X-Forwarded-* describing the original request.
    @Test func mapsATraefikForwardAuthRequest() throws {
        let request =
            "GET /forward-auth HTTP/1.1\r\nHost: 127.0.0.1:8081\r\nUser-Agent: curl/8.5.0\r\nAccept: */*\r\n"
            + "X-Api-Key: ak_traefikKey\r\nX-Forwarded-For: 203.0.113.9\r\nX-Forwarded-Host: shop.example.com\r\n"
            + "X-Forwarded-Method: PUT\r\nX-Forwarded-Port: 443\r\nX-Forwarded-Proto: https\r\n"
            + "X-Forwarded-Server: edge-1\r\nX-Forwarded-Uri: /api/items/7?x=%20y\r\nX-Real-Ip: 203.0.113.9\r\n"
            + "Accept-Encoding: gzip\r\n\r\n"
        let expected = CheckRequest(
            apiKey: "ak_traefikKey", method: "PUT", path: "/api/items/7?x=%20y", host: "shop.example.com",
            clientIP: "203.0.113.9")
        #expect(try route(request) == .check(.forwardAuth, expected))
    }

    /// Caddy `forward_auth`: the original Host kept, the method rewritten to GET, the URI to the
    /// configured one, the original ones in X-Forwarded-Method / -Uri.
    @Test func mapsACaddyForwardAuthRequest() throws {
        let request =
            "GET /forward-auth HTTP/1.1\r\nHost: shop.example.com\r\nUser-Agent: HTTPie/3.2\r\n"
            + "Authorization: bearer   ak_caddyKey \r\nX-Forwarded-For: 203.0.113.9\r\n"
            + "X-Forwarded-Host: shop.example.com\r\nX-Forwarded-Method: POST\r\nX-Forwarded-Proto: https\r\n"
            + "X-Forwarded-Uri: /upload\r\nAccept-Encoding: gzip\r\n\r\n"
        let expected = CheckRequest(
            apiKey: "ak_caddyKey", method: "POST", path: "/upload", host: "shop.example.com", clientIP: "203.0.113.9")
        #expect(try route(request) == .check(.forwardAuth, expected))
    }

    @Test func mapsTheSeedAPI() throws {
        let request =
            "GET /auth/protected HTTP/1.1\r\nHost: localhost:5555\r\nUser-Agent: curl/8.5.0\r\nAccept: */*\r\n"
            + "x-api-key: ak_seedKey\r\n\r\n"
        let expected = CheckRequest(
            apiKey: "ak_seedKey", method: "GET", path: "/auth/protected", host: "localhost:5555")
        #expect(try route(request) == .check(.seedAPI, expected))
    }

    @Test func routesHealth() throws {
        #expect(try route("GET /health HTTP/1.1\r\nHost: h\r\n\r\n") == .check(.health, CheckRequest(kind: .health)))
        #expect(try route("GET /health?probe=k8s HTTP/1.0\r\n\r\n") == .check(.health, CheckRequest(kind: .health)))
    }

    @Test(
        arguments: [
            ("x-api-key: ak_1\r\nAuthorization: Bearer ak_2\r\n", "ak_1"),
            ("x-api-key:\r\nAuthorization: Bearer ak_2\r\n", "ak_2"),
            ("Authorization: BEARER\tak_3\r\n", "ak_3"),
            ("Authorization: Basic dXNlcjpwYXNz\r\n", nil),
            ("Authorization: Bearer\r\n", nil),
            ("Authorization: Bearer    \r\n", nil),
            ("Authorization: Bearerak_4\r\n", nil),
            ("", nil),
        ] as [(String, String?)])
    func findsTheKey(headers: String, key: String?) throws {
        let routing = try route("GET /auth/protected HTTP/1.1\r\nHost: h\r\n" + headers + "\r\n")
        guard case .check(.seedAPI, let check) = routing else {
            Issue.record("not a check: \(routing)")
            return
        }
        #expect(check.apiKey == key)
    }

    @Test(arguments: ["1", "7", "1000000"])
    func readsTheCost(value: String) throws {
        let routing = try route("GET /forward-auth HTTP/1.1\r\nHost: h\r\nX-Aegis-Cost: \(value)\r\n\r\n")
        guard case .check(.forwardAuth, let check) = routing else {
            Issue.record("not a check: \(routing)")
            return
        }
        #expect(check.cost == Int(value))
    }

    @Test(arguments: [
        "0", "-1", "+2", "1.5", "2e0", "abc", "", "1000001", "99999999999999999999", "1\r\nX-Aegis-Cost: 1",
    ])
    func rejectsABadCost(value: String) throws {
        for (route, path) in [
            (BridgeRoute.nginx, "/nginx"), (.forwardAuth, "/forward-auth"), (.seedAPI, "/auth/protected"),
        ] {
            let routing = try self.route("GET \(path) HTTP/1.1\r\nHost: h\r\nX-Aegis-Cost: \(value)\r\n\r\n")
            #expect(routing == .decided(route, .denied(.badRequest, message: BridgeRequestFields.costMessage)))
        }
        let envoy = try route("POST /envoy/x HTTP/1.1\r\nhost: h\r\nx-aegis-cost: \(value)\r\n\r\n")
        guard case .decided(.envoy, let decision) = envoy else {
            Issue.record("bad cost through Envoy: \(envoy)")
            return
        }
        #expect(decision.reason == .badRequest)
    }

    @Test(arguments: ["/", "/nginx/", "/health/x", "/auth", "/forward-auth/x", "/envoyx", "*"])
    func answersNotFound(target: String) throws {
        #expect(try route("GET \(target) HTTP/1.1\r\nHost: h\r\n\r\n") == .reject(.notFound))
    }

    @Test(arguments: ["POST /nginx", "HEAD /health", "PUT /forward-auth", "DELETE /auth/protected", "get /health"])
    func answersMethodNotAllowed(requestLine: String) throws {
        let routing = try route("\(requestLine) HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n")
        #expect(routing == .reject(.methodNotAllowed(allow: "GET")))
    }
}
