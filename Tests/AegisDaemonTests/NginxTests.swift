import Foundation
import Testing

/// Debian's nginx with the shipped `deploy/nginx/` configuration in front of a tiny application,
/// asking a real `aegisd` (real Redis and PostgreSQL) about every request.
@Suite struct NginxTests {
    @Test func allowedRequestReachesTheUpstreamWithTheTenantAndTheClientSeesTheLimits() throws {
        let db = try database()
        let tenant = try db.tenant(burst: 50, rpm: 600, quota: 100_000)
        let stack = try NginxStack(db)

        let response = try stack.nginx.client().request(
            "GET", "/orders/7?expand=items",
            headers: [("x-api-key", tenant.key), ("X-Aegis-Tenant", "someone-else"), ("Accept", "application/json")])
        #expect(response.status == 200, "\(stack.nginx.errorLog)")
        #expect(response.json["upstream"] as? Bool == true)
        let policy = try #require(response.header("RateLimit-Policy"))
        #expect(policy.hasPrefix(#""burst";q=50;w=1, "minute";q=600;w=60, "month";q=100000;w="#))
        #expect(Int(policy.split(separator: "=").last ?? "").map { (28...31).contains($0 / 86_400) } == true)
        #expect(response.header("RateLimit")?.hasPrefix(#""burst";r=49;t="#) == true)
        #expect(response.header("RateLimit")?.contains(#""minute";r=599;"#) == true)
        #expect(response.header("RateLimit")?.contains(#""month";r=99999;"#) == true)
        #expect(response.header("X-RateLimit-Limit") == "600")
        #expect(response.header("X-RateLimit-Remaining") == "599")
        #expect(response.header("X-RateLimit-Reset").flatMap(Int.init) != nil)
        #expect(response.header("Retry-After") == nil)

        let received = stack.upstream.requests
        #expect(received.count == 1)
        let request = try #require(received.first)
        #expect(request.method == "GET")
        #expect(request.target == "/orders/7?expand=items")
        // The config sets the tenant from the check, replacing whatever the client sent.
        #expect(request.values("X-Aegis-Tenant") == [tenant.tenantID])
        #expect(request.header("x-api-key") == nil)
        #expect(request.header("Accept") == "application/json")
    }

    @Test func connectionsToTheBridgeAreKeptAliveOverManyRequests() throws {
        let db = try database()
        let tenant = try db.tenant()
        let stack = try NginxStack(db)
        let client = try stack.nginx.client()

        for index in 0..<150 {
            let method = ["GET", "POST", "DELETE"][index % 3]
            let response = try client.request(method, "/items/\(index)", headers: [("x-api-key", tenant.key)])
            #expect(response.status == 200)
            if response.status != 200 { break }
        }
        #expect(stack.upstream.requests.count == 150)
        // nginx keeps its idle connections to the bridge open; without keep-alive it would have
        // closed every one after its check, and the daemon would have closed its side by now.
        usleep(200_000)
        let open = try Self.connectedSockets(listeningOn: stack.bridgeSocket)
        #expect((1...4).contains(open), "\(open) connections to the bridge are open")
        #expect(
            try eventually {
                try db.query("SELECT count(*) FROM request_logs WHERE tenant_id = '\(tenant.tenantID)'") == [["150"]]
            })
    }

    @Test func badKeyIs401WithAJSONBodyAndNeverReachesTheUpstream() throws {
        let db = try database()
        let stack = try NginxStack(db)
        let client = try stack.nginx.client()

        for key in ["ak_not_a_real_key", "nonsense"] {
            let response = try client.request("GET", "/private", headers: [("x-api-key", key)])
            #expect(response.status == 401)
            #expect(response.header("Content-Type") == "application/json")
            #expect(response.json["error"] as? String == "Invalid API key")
        }
        let bearer = try client.request("GET", "/private", headers: [("Authorization", "Bearer ak_wrong")])
        #expect(bearer.status == 401)
        #expect(bearer.json["error"] as? String == "Invalid API key")
        #expect(stack.upstream.requests.isEmpty)
    }

    @Test func missingKeyIs401() throws {
        let db = try database()
        let stack = try NginxStack(db)

        let response = try stack.nginx.client().request("POST", "/private")
        #expect(response.status == 401)
        #expect(response.json["error"] as? String == "Missing API key")
        #expect(response.header("RateLimit") == nil)
        #expect(stack.upstream.requests.isEmpty)
    }

    @Test func suspendedTenantIs403() throws {
        let db = try database()
        let tenant = try db.tenant()
        let stack = try NginxStack(db)
        let client = try stack.nginx.client()
        #expect(try client.request("GET", "/a", headers: [("x-api-key", tenant.key)]).status == 200)

        try db.aegis(["tenant", "suspend", tenant.tenantID])
        // Requests pass until the daemon hears of the change; those reach the upstream.
        var last: HTTPResponse?
        var passed = 1
        #expect(
            try eventually(timeout: 6) {
                last = try client.request("GET", "/a", headers: [("x-api-key", tenant.key)])
                if last?.status == 200 { passed += 1 }
                return last?.status == 403
            })
        #expect(last?.json["error"] as? String == "Tenant suspended")
        #expect(last?.header("Content-Type") == "application/json")
        #expect(try client.request("GET", "/a", headers: [("x-api-key", tenant.key)]).status == 403)
        #expect(stack.upstream.requests.count == passed)
    }

    @Test func pastTheBurstTheClientGets429WithRetryAfterLimitsAndTheSeedBody() throws {
        let db = try database()
        let tenant = try db.tenant(burst: 3, rpm: 1_000, quota: 100_000)
        let stack = try NginxStack(db)
        let client = try stack.nginx.client()

        var responses: [HTTPResponse] = []
        for _ in 0..<8 {
            responses.append(try client.request("GET", "/burst", headers: [("x-api-key", tenant.key)]))
        }
        let admitted = responses.filter { $0.status == 200 }
        let limited = responses.filter { $0.status == 429 }
        // The bucket refills at 3/s, so a slow machine may admit one more in the fraction of a
        // second this takes.
        #expect((3...4).contains(admitted.count))
        #expect(admitted.count + limited.count == 8, "\(responses.map(\.status))")
        #expect(stack.upstream.requests.count == admitted.count)

        let denied = try #require(limited.last)
        #expect(denied.header("Content-Type") == "application/json")
        let retryAfter = try #require(denied.header("Retry-After").flatMap(Int.init))
        #expect((1...2).contains(retryAfter))
        #expect(denied.header("RateLimit-Policy")?.hasPrefix(#""burst";q=3;w=1"#) == true)
        #expect(denied.header("RateLimit")?.hasPrefix(#""burst";r=0;t="#) == true)
        #expect(denied.header("X-RateLimit-Limit") == "1000")
        #expect(denied.header("X-RateLimit-Remaining").flatMap(Int.init) == 1_000 - admitted.count)
        #expect(denied.header("X-RateLimit-Reset") != nil)
        let body = denied.json
        #expect(body["error"] as? String == "Rate limit exceeded")
        #expect(body["limit"] as? Int == 3)
        #expect(body["window"] as? String == "1s")
        #expect(body["current"] as? Int == 4)
        #expect(Set(body.keys) == ["error", "limit", "window", "current"])
    }

    @Test func exhaustedQuotaIs429ForTheMonth() throws {
        let db = try database()
        let tenant = try db.tenant(burst: 100, rpm: 1_000, quota: 2)
        let stack = try NginxStack(db)
        let client = try stack.nginx.client()

        let statuses = try (0..<4).map { _ in
            try client.request("GET", "/q", headers: [("x-api-key", tenant.key)]).status
        }
        #expect(statuses == [200, 200, 429, 429])
        let denied = try client.request("GET", "/q", headers: [("x-api-key", tenant.key)])
        #expect(denied.status == 429)
        #expect(denied.json["window"] as? String == "month")
        #expect(denied.json["limit"] as? Int == 2)
        #expect(denied.json["current"] as? Int == 3)
        #expect(denied.header("RateLimit")?.contains(#""month";r=0;"#) == true)
        #expect(denied.header("Retry-After").flatMap(Int.init).map { $0 >= 1 } == true)
        #expect(stack.upstream.requests.count == 2)
    }

    @Test func redisDownFailsClosedWith503() throws {
        let db = try database()
        let tenant = try db.tenant()
        let redis = try PrivateRedis()
        let stack = try NginxStack(db, redisURL: redis.url, failMode: "closed")
        let client = try stack.nginx.client()
        #expect(try client.request("GET", "/r", headers: [("x-api-key", tenant.key)]).status == 200)

        redis.stop()
        let response = try client.request("GET", "/r", headers: [("x-api-key", tenant.key)])
        #expect(response.status == 503, "\(stack.nginx.errorLog)")
        #expect(response.json["error"] as? String == "Service unavailable")
        #expect(response.header("Retry-After") == "1")
        #expect(stack.upstream.requests.count == 1)
        // Authentication still decides: a bad key is 401, not 503.
        #expect(try client.request("GET", "/r", headers: [("x-api-key", "ak_nobody")]).status == 401)
        #expect(!stack.nginx.errorLog.contains("auth request unexpected status"))
    }

    @Test func redisDownFailsOpenAndPasses() throws {
        let db = try database()
        let tenant = try db.tenant()
        let redis = try PrivateRedis()
        let stack = try NginxStack(db, redisURL: redis.url, failMode: "open")
        let client = try stack.nginx.client()
        #expect(try client.request("GET", "/r", headers: [("x-api-key", tenant.key)]).status == 200)

        redis.stop()
        let response = try client.request("GET", "/r", headers: [("x-api-key", tenant.key)])
        #expect(response.status == 200)
        #expect(response.json["upstream"] as? Bool == true)
        #expect(stack.upstream.requests.count == 2)
        #expect(stack.upstream.requests.last?.header("X-Aegis-Tenant") == tenant.tenantID)
        #expect(try client.request("GET", "/r", headers: [("x-api-key", "ak_nobody")]).status == 401)
        #expect(stack.upstream.requests.count == 2)
    }

    @Test func aegisdDownIs503NotA500() throws {
        let db = try database()
        let tenant = try db.tenant()
        let stack = try NginxStack(db)
        let client = try stack.nginx.client()
        #expect(try client.request("GET", "/d", headers: [("x-api-key", tenant.key)]).status == 200)

        try stack.daemon.killHard()
        let response = try client.request("GET", "/d", headers: [("x-api-key", tenant.key)])
        #expect(response.status == 503)
        #expect(response.json["error"] as? String == "Service unavailable")
        #expect(response.header("Retry-After") == "1")
        #expect(stack.upstream.requests.count == 1)
    }

    @Test func everyHeaderSetNginxAcceptsGetsAVerdictNotA503() throws {
        let db = try database()
        let tenant = try db.tenant()
        let stack = try NginxStack(db)

        // nginx passes the client's headers on to the check, bounded only by its buffers: a line
        // must fit in 8 KB and four such buffers hold the long ones, with no limit on their number.
        // nginx adds its own (X-Original-URI, ...) on top.
        let longest = Array(repeating: ("X-Blob", String(repeating: "b", count: 8_170)), count: 4)
        let many = (0..<200).map { ("X-Trace-\($0)", "v") }
        for headers in [longest, many] {
            let response = try stack.nginx.client().request("GET", "/h", headers: [("x-api-key", tenant.key)] + headers)
            #expect(response.status == 200, "\(response.status) \(response.text)")
            let denied = try stack.nginx.client().request("GET", "/h", headers: [("x-api-key", "ak_no")] + headers)
            #expect(denied.status == 401, "\(denied.status) \(denied.text)")
        }
        #expect(stack.upstream.requests.count == 2)
    }

    /// The accepted connections of a listening Unix socket that are open now, from /proc/net/unix:
    /// an accepted socket shows its listener's path and the connected state (03).
    static func connectedSockets(listeningOn path: String) throws -> Int {
        // String(contentsOfFile:) stops after the first page of a /proc file; read to the end.
        guard let file = FileHandle(forReadingAtPath: "/proc/net/unix") else {
            throw TestFailure("cannot read /proc/net/unix")
        }
        defer { try? file.close() }
        let table = String(decoding: file.readDataToEndOfFile(), as: UTF8.self)
        return table.split(separator: "\n").filter { line in
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            return fields.count >= 8 && fields[7] == path && fields[5] == "03"
        }.count
    }
}

/// One test's chain: client → nginx (shipped config) → aegisd's bridge on a Unix socket → the
/// tiny upstream.
private struct NginxStack {
    let upstream: TinyUpstream
    let daemon: DaemonProcess
    let nginx: NginxProcess
    let bridgeSocket: String

    init(_ db: TestDatabase, redisURL: String = TestEnvironment.redisURL, failMode: String = "closed") throws {
        let directory = TestEnvironment.temporaryDirectory()
        bridgeSocket = directory + "/http.sock"
        upstream = try TinyUpstream()
        daemon = try DaemonProcess(
            databaseURL: db.url, redisURL: redisURL,
            arguments: ["--http", "unix:" + bridgeSocket, "--fail-mode", failMode], directory: directory)
        nginx = try NginxProcess(bridgeSocket: bridgeSocket, upstreamPort: upstream.port)
    }
}
