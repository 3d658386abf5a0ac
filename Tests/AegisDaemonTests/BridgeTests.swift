import Foundation
import Testing

/// The HTTP bridge of a real `aegisd`, asked the way each proxy asks: the requests below are shaped
/// exactly as nginx, Envoy, Traefik and Caddy send them, since only nginx can run here.
@Suite struct BridgeTests {
    /// nginx `auth_request` as the shipped config sends it: a GET to /nginx without body, the
    /// client's headers, the original method and URI, `Host` of the upstream block.
    static func nginxCheck(key: String?, method: String = "GET", uri: String = "/orders?id=1") -> [(String, String)] {
        var headers = [
            ("Host", "aegis"), ("X-Original-Method", method), ("X-Original-URI", uri), ("X-Real-IP", "203.0.113.7"),
            ("X-Forwarded-For", "203.0.113.7"), ("User-Agent", "curl/7.88.1"), ("Accept", "*/*"),
            ("Content-Type", "application/json"),
        ]
        if let key { headers.append(("x-api-key", key)) }
        return headers
    }

    /// Envoy `ext_authz` over HTTP: the client's method, the prefix plus the original path and query,
    /// the original authority as `Host`, `Authorization` and `Content-Length: 0`, names in lower case.
    static func envoyCheck(key: String?, authority: String = "api.example.com") -> [(String, String)] {
        var headers = [("host", authority), ("content-length", "0"), ("x-envoy-expected-rq-timeout-ms", "200")]
        if let key { headers.append(("authorization", "Bearer " + key)) }
        return headers
    }

    /// Traefik ForwardAuth and Caddy `forward_auth`: a GET carrying the client's headers and the
    /// X-Forwarded-* description of the original request.
    static func forwardAuthCheck(
        key: String?, method: String = "POST", uri: String = "/v1/items?page=2"
    )
        -> [(String, String)]
    {
        var headers = [
            ("Host", "127.0.0.1:9180"), ("User-Agent", "Mozilla/5.0"), ("X-Forwarded-Method", method),
            ("X-Forwarded-Proto", "https"), ("X-Forwarded-Host", "api.example.com"), ("X-Forwarded-Uri", uri),
            ("X-Forwarded-For", "198.51.100.4"), ("Accept-Encoding", "gzip"),
        ]
        if let key { headers.append(("X-Api-Key", key)) }
        return headers
    }

    @Test func nginxSubrequestIsAllowedWith200AndDeniedWith401Or403NamingTheTrueStatus() throws {
        let db = try database()
        let tenant = try db.tenant(burst: 2, rpm: 1_000, quota: 100_000)
        let suspended = try db.tenant()
        try db.aegis(["tenant", "suspend", suspended.tenantID])
        let bridge = try Bridge(db)
        let client = try bridge.client()

        let allowed = try client.request("GET", "/nginx", headers: Self.nginxCheck(key: tenant.key))
        #expect(allowed.status == 200)
        #expect(allowed.header("X-Aegis-Tenant") == tenant.tenantID)
        #expect(allowed.header("X-Aegis-Status") == nil)
        #expect(allowed.header("RateLimit")?.hasPrefix(#""burst";r=1;"#) == true)
        #expect(allowed.header("RateLimit-Policy")?.hasPrefix(#""burst";q=2;w=1, "minute";q=1000;w=60"#) == true)
        #expect(allowed.header("X-RateLimit-Remaining") == "999")
        #expect(allowed.body.isEmpty)

        _ = try client.request("GET", "/nginx", headers: Self.nginxCheck(key: tenant.key))
        let limited = try client.request("GET", "/nginx", headers: Self.nginxCheck(key: tenant.key))
        #expect(limited.status == 403)
        #expect(limited.header("X-Aegis-Status") == "429")
        #expect(limited.header("Retry-After").flatMap(Int.init).map { $0 >= 1 } == true)
        #expect(limited.header("RateLimit")?.hasPrefix(#""burst";r=0;"#) == true)
        let body = try #require(limited.header("X-Aegis-Body"))
        #expect(body == #"{"error":"Rate limit exceeded","limit":2,"window":"1s","current":3}"#)
        #expect(limited.text.isEmpty)

        let invalid = try client.request("GET", "/nginx", headers: Self.nginxCheck(key: "ak_invalid"))
        #expect(invalid.status == 401)
        #expect(invalid.header("X-Aegis-Status") == "401")
        #expect(invalid.header("WWW-Authenticate")?.hasPrefix("Bearer") == true)
        #expect(invalid.header("X-Aegis-Body") == #"{"error":"Invalid API key"}"#)
        #expect(try client.request("GET", "/nginx", headers: Self.nginxCheck(key: nil)).status == 401)

        let barred = try client.request("GET", "/nginx", headers: Self.nginxCheck(key: suspended.key))
        #expect(barred.status == 403)
        #expect(barred.header("X-Aegis-Status") == "403")
        #expect(barred.header("X-Aegis-Body") == #"{"error":"Tenant suspended"}"#)
    }

    @Test func envoyAllowsWithExactly200AndDeniesWithTheTrueStatusAndBody() throws {
        let db = try database()
        let tenant = try db.tenant(burst: 1, rpm: 1_000, quota: 100_000)
        let suspended = try db.tenant()
        try db.aegis(["tenant", "suspend", suspended.tenantID])
        let bridge = try Bridge(db)
        let client = try bridge.client()

        let allowed = try client.request("POST", "/envoy/orders/7?expand=1", headers: Self.envoyCheck(key: tenant.key))
        #expect(allowed.status == 200)
        #expect(allowed.header("x-aegis-tenant") == tenant.tenantID)
        #expect(allowed.header("RateLimit") != nil && allowed.header("X-RateLimit-Limit") == "1000")

        let limited = try client.request("POST", "/envoy/orders/7", headers: Self.envoyCheck(key: tenant.key))
        #expect(limited.status == 429)
        #expect(limited.header("Retry-After") != nil)
        #expect(limited.header("Content-Type") == "application/json")
        #expect(limited.text == #"{"error":"Rate limit exceeded","limit":1,"window":"1s","current":2}"#)

        let invalid = try client.request("GET", "/envoy/", headers: Self.envoyCheck(key: "ak_invalid"))
        #expect(invalid.status == 401)
        #expect(invalid.json["error"] as? String == "Invalid API key")
        let missing = try client.request("GET", "/envoy", headers: Self.envoyCheck(key: nil))
        #expect(missing.status == 401)
        #expect(missing.json["error"] as? String == "Missing API key")
        let barred = try client.request("DELETE", "/envoy/x", headers: Self.envoyCheck(key: suspended.key))
        #expect(barred.status == 403)
        #expect(barred.json["error"] as? String == "Tenant suspended")
    }

    @Test func envoyHeadCheckIsAnsweredWithoutABodySoTheConnectionStaysInStep() throws {
        let db = try database()
        let tenant = try db.tenant()
        let bridge = try Bridge(db)
        let client = try bridge.client()

        // A body after a response to HEAD would be read by Envoy as the start of the next response.
        let denied = try client.request("HEAD", "/envoy/page", headers: Self.envoyCheck(key: "ak_invalid"))
        #expect(denied.status == 401)
        let allowed = try client.request("HEAD", "/envoy/page", headers: Self.envoyCheck(key: tenant.key))
        #expect(allowed.status == 200)
        let next = try client.request("GET", "/envoy/page", headers: Self.envoyCheck(key: tenant.key))
        #expect(next.status == 200)
        #expect(next.header("x-aegis-tenant") == tenant.tenantID)
    }

    @Test func envoyPrefixIsConfigurable() throws {
        let db = try database()
        let tenant = try db.tenant()
        let bridge = try Bridge(db, arguments: ["--envoy-prefix", "/ext-authz"])
        let client = try bridge.client()

        let allowed = try client.request("GET", "/ext-authz/a/b?c=d", headers: Self.envoyCheck(key: tenant.key))
        #expect(allowed.status == 200)
        #expect(allowed.header("x-aegis-tenant") == tenant.tenantID)
        #expect(try client.request("GET", "/envoy/a", headers: Self.envoyCheck(key: tenant.key)).status == 404)
    }

    @Test func forwardAuthAllowsWith200AndPassesTheTrueStatusOtherwise() throws {
        let db = try database()
        let tenant = try db.tenant(burst: 1, rpm: 1_000, quota: 100_000)
        let bridge = try Bridge(db)
        let client = try bridge.client()

        let allowed = try client.request("GET", "/forward-auth", headers: Self.forwardAuthCheck(key: tenant.key))
        #expect(allowed.status == 200)
        #expect(allowed.header("X-Aegis-Tenant") == tenant.tenantID)
        #expect(allowed.header("RateLimit-Policy") != nil)

        let limited = try client.request("GET", "/forward-auth", headers: Self.forwardAuthCheck(key: tenant.key))
        #expect(limited.status == 429)
        #expect(limited.header("Retry-After") != nil)
        #expect(limited.json["window"] as? String == "1s")

        let invalid = try client.request("GET", "/forward-auth", headers: Self.forwardAuthCheck(key: "ak_x"))
        #expect(invalid.status == 401)
        #expect(invalid.json["error"] as? String == "Invalid API key")
    }

    @Test func aBodyThatCameAlongIsSkippedAndTheNextRequestIsRead() throws {
        let db = try database()
        let tenant = try db.tenant()
        let other = try db.tenant()
        let bridge = try Bridge(db)
        let client = try bridge.client()

        // A proxy that sends the client's body along with the check (Envoy with with_request_body,
        // a hand-written forward-auth rule), sized or chunked.
        let body = #"{"order":[1,2,3]}"#
        let sized = Self.forwardAuthCheck(key: tenant.key) + [("Content-Length", String(body.utf8.count))]
        let chunked =
            Self.envoyCheck(key: other.key).filter { $0.0 != "content-length" }
            + [("transfer-encoding", "chunked")]
        try client.send(
            HTTPClient.requestBytes("GET", "/forward-auth", headers: sized) + Array(body.utf8)
                + HTTPClient.requestBytes("POST", "/envoy/orders", headers: chunked)
                + Array("5\r\n{\"a\":\r\n3\r\n1}\n\r\n0\r\n\r\n".utf8)
                + HTTPClient.requestBytes("GET", "/health"))
        #expect(try client.readResponse().header("X-Aegis-Tenant") == tenant.tenantID)
        #expect(try client.readResponse().header("x-aegis-tenant") == other.tenantID)
        #expect(try client.readResponse().json["message"] as? String == "hoho")
    }

    @Test func unavailableIs503ExceptForNginxWhichGets403NamingIt() throws {
        let db = try database()
        let tenant = try db.tenant()
        let redis = try PrivateRedis()
        let bridge = try Bridge(db, redisURL: redis.url, arguments: ["--fail-mode", "closed"])
        let client = try bridge.client()
        #expect(try client.request("GET", "/envoy/", headers: Self.envoyCheck(key: tenant.key)).status == 200)

        redis.stop()
        let envoy = try client.request("GET", "/envoy/", headers: Self.envoyCheck(key: tenant.key))
        #expect(envoy.status == 503)
        #expect(envoy.header("Retry-After") == "1")
        let forward = try client.request("GET", "/forward-auth", headers: Self.forwardAuthCheck(key: tenant.key))
        #expect(forward.status == 503)
        let nginx = try client.request("GET", "/nginx", headers: Self.nginxCheck(key: tenant.key))
        #expect(nginx.status == 403)
        #expect(nginx.header("X-Aegis-Status") == "503")
        let health = try client.request("GET", "/health")
        #expect(health.status == 200)
        #expect(health.json["redis"] as? String == "down")
    }

    @Test func seedAPIAnswersOkOrTheDenyBody() throws {
        let db = try database()
        let tenant = try db.tenant(burst: 100, rpm: 2, quota: 100_000)
        let bridge = try Bridge(db)
        let client = try bridge.client()

        for _ in 0..<2 {
            let ok = try client.request("GET", "/auth/protected", headers: [("x-api-key", tenant.key)])
            #expect(ok.status == 200)
            #expect(ok.text == #"{"ok":true}"#)
            #expect(ok.header("X-RateLimit-Limit") == "2")
        }
        let limited = try client.request("GET", "/auth/protected", headers: [("x-api-key", tenant.key)])
        #expect(limited.status == 429)
        #expect(limited.text == #"{"error":"Rate limit exceeded","limit":2,"window":"60s","current":3}"#)
        #expect(limited.header("Retry-After").flatMap(Int.init).map { (1...60).contains($0) } == true)

        let missing = try client.request("GET", "/auth/protected")
        #expect(missing.status == 401)
        #expect(missing.text == #"{"error":"Missing API key"}"#)
        let post = try client.request("POST", "/auth/protected", headers: [("x-api-key", tenant.key)])
        #expect(post.status == 405)
        #expect(post.header("Allow") == "GET")
        let health = try client.request("GET", "/health")
        #expect(health.status == 200)
        #expect(health.text == #"{"message":"hoho","redis":"up","postgres":"up"}"#)
        #expect(try client.request("GET", "/nowhere").status == 404)
    }

    @Test func pipelinedRequestsOnOneConnectionAreAnsweredInOrder() throws {
        let db = try database()
        let first = try db.tenant()
        let second = try db.tenant()
        let bridge = try Bridge(db)
        let client = try bridge.client()

        // Cache misses (first use of each key), hits, health, unknown keys and paths, all in one write.
        var bytes: [UInt8] = []
        var expected: [String] = []
        for index in 0..<60 {
            switch index % 5 {
            case 0:
                bytes += HTTPClient.requestBytes("GET", "/nginx", headers: Self.nginxCheck(key: first.key))
                expected.append("200 " + first.tenantID)
            case 1:
                bytes += HTTPClient.requestBytes("PUT", "/envoy/p", headers: Self.envoyCheck(key: second.key))
                expected.append("200 " + second.tenantID)
            case 2:
                bytes += HTTPClient.requestBytes("GET", "/health")
                expected.append("200 hoho")
            case 3:
                bytes += HTTPClient.requestBytes(
                    "GET", "/forward-auth", headers: Self.forwardAuthCheck(key: "ak_\(index)"))
                expected.append("401 Invalid API key")
            default:
                bytes += HTTPClient.requestBytes("GET", "/missing/\(index)")
                expected.append("404 Not found")
            }
        }
        try client.send(bytes)
        var seen: [String] = []
        for _ in expected {
            let response = try client.readResponse()
            let detail =
                response.header("X-Aegis-Tenant") ?? response.json["message"] as? String
                ?? response.json["error"] as? String ?? "?"
            seen.append("\(response.status) \(detail)")
        }
        #expect(seen == expected)
    }

    @Test(arguments: [
        "GET / HTTP/1.1\r\nHost: a\r\nBad Header\r\n\r\n",
        "GET /nginx HTTP/1.1\r\n\r\n",
        "GET /nginx HTTP/1.1\nHost: a\n\n",
        "\u{1}\u{2}\u{3} garbage \u{7F}\r\n\r\n",
        "GET /nginx HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n",
        "GET /nginx HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
    ])
    func malformedRequestIsAnswered400AndClosedAndTheDaemonCarriesOn(request: String) throws {
        let db = try database()
        let tenant = try db.tenant()
        let bridge = try Bridge(db)

        let client = try bridge.client()
        try client.send(
            HTTPClient.requestBytes("GET", "/nginx", headers: Self.nginxCheck(key: tenant.key)) + Array(request.utf8))
        #expect(try client.readResponse().status == 200)
        if request.contains("zz") {
            // The head was fine and is answered (it has no key); the broken body then ends the
            // connection without another answer.
            #expect(try client.readResponse().status == 401)
        } else {
            let response = try client.readResponse()
            #expect(response.status == 400)
            #expect(response.header("Connection")?.lowercased() == "close")
            #expect(response.json["error"] is String)
        }
        #expect(client.isClosedByPeer())

        let fresh = try bridge.client()
        #expect(try fresh.request("GET", "/nginx", headers: Self.nginxCheck(key: tenant.key)).status == 200)
        #expect(bridge.daemon.isRunning)
    }

    @Test(arguments: [true, false])
    func loopbackPortFromPORTOrTheFlag(fromEnvironment: Bool) throws {
        let db = try database()
        let tenant = try db.tenant()
        let port = try freeLoopbackPort()
        let daemon = try DaemonProcess(
            databaseURL: db.url, arguments: fromEnvironment ? [] : ["--http", "127.0.0.1:\(port)"],
            environment: fromEnvironment ? ["PORT": String(port)] : [:])
        let client = try eventuallyConnect(.tcp(port: port))

        let health = try client.request("GET", "/health")
        #expect(health.json["message"] as? String == "hoho")
        let ok = try client.request("GET", "/auth/protected", headers: [("x-api-key", tenant.key)])
        #expect(ok.text == #"{"ok":true}"#)
        let forward = try client.request("GET", "/forward-auth", headers: Self.forwardAuthCheck(key: tenant.key))
        #expect(forward.status == 200)
        #expect(daemon.isRunning)
    }

    @Test func requestLogRowsCarryTheOriginalMethodAndPath() throws {
        let db = try database()
        let tenant = try db.tenant()
        let bridge = try Bridge(db)
        let client = try bridge.client()

        let checks: [(String, String, [(String, String)])] = [
            ("GET", "/nginx", Self.nginxCheck(key: tenant.key, method: "POST", uri: "/v1/orders?id=9")),
            (
                "GET", "/forward-auth",
                Self.forwardAuthCheck(key: tenant.key, method: "DELETE", uri: "/v1/items/3?force=1")
            ),
            ("PUT", "/envoy/v1/things?x=1", Self.envoyCheck(key: tenant.key)),
            ("GET", "/auth/protected?debug=0", [("x-api-key", tenant.key)]),
        ]
        for (method, target, headers) in checks {
            #expect(try client.request(method, target, headers: headers).status == 200)
        }
        let expected = [
            ["DELETE", "/v1/items/3?force=1"], ["GET", "/auth/protected?debug=0"], ["POST", "/v1/orders?id=9"],
            ["PUT", "/v1/things?x=1"],
        ]
        var rows: [[String]] = []
        #expect(
            try eventually {
                rows = try db.query(
                    "SELECT method, path FROM request_logs WHERE tenant_id = '\(tenant.tenantID)' ORDER BY method")
                return rows.count >= expected.count
            })
        #expect(rows == expected)
    }

    private func eventuallyConnect(_ address: HTTPClient.Address) throws -> HTTPClient {
        let deadline = Date().addingTimeInterval(5)
        while true {
            do {
                return try HTTPClient(address)
            } catch  where Date() < deadline {
                usleep(20_000)
            }
        }
    }
}

/// A daemon with its HTTP bridge on a Unix socket.
private struct Bridge {
    let daemon: DaemonProcess
    let socketPath: String

    init(_ db: TestDatabase, redisURL: String = TestEnvironment.redisURL, arguments: [String] = []) throws {
        let directory = TestEnvironment.temporaryDirectory()
        socketPath = directory + "/http.sock"
        daemon = try DaemonProcess(
            databaseURL: db.url, redisURL: redisURL, arguments: ["--http", "unix:" + socketPath] + arguments,
            directory: directory)
    }

    func client() throws -> HTTPClient {
        try HTTPClient(.unix(socketPath))
    }
}
