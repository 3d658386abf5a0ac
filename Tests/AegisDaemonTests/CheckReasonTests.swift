import Foundation
import Testing

/// Every reason the protocol defines, each produced by a real daemon on real Redis and PostgreSQL.
@Suite struct CheckReasonTests {
    @Test func allowedCheckCarriesTenantAndLimitHeaders() throws {
        let db = try database()
        let tenant = try db.tenant(burst: 10, rpm: 600, quota: 100_000)
        let daemon = try DaemonProcess(databaseURL: db.url)
        let reply = try daemon.client().check(["id": "a-1", "api_key": tenant.key, "method": "GET", "path": "/x"])

        #expect(reply["id"] as? String == "a-1")
        #expect(reply.allow == true)
        #expect(reply.status == 200)
        #expect(reply.reason == "ok")
        #expect(reply["tenant_id"] as? String == tenant.tenantID)
        #expect(reply.headers["X-RateLimit-Limit"] == "600")
        #expect(reply.headers["X-RateLimit-Remaining"] == "599")
        #expect(reply.headers["RateLimit-Policy"]?.contains("\"burst\";q=10;w=1") == true)
        #expect(reply.headers["RateLimit"]?.contains("\"minute\";r=599") == true)
        #expect(reply["body"] == nil)
    }

    @Test func keyIsTakenFromHeadersWhenNotGivenDirectly() throws {
        let db = try database()
        let tenant = try db.tenant()
        let daemon = try DaemonProcess(databaseURL: db.url)
        let client = try daemon.client()

        let fromHeader = try client.check(["headers": ["X-API-Key": tenant.key]])
        let fromBearer = try client.check(["headers": ["Authorization": "Bearer \(tenant.key)"]])
        #expect(fromHeader.reason == "ok")
        #expect(fromBearer.reason == "ok")
    }

    @Test func missingUnknownAndRevokedKeysAre401() throws {
        let db = try database()
        let tenant = try db.tenant()
        let daemon = try DaemonProcess(databaseURL: db.url)
        let client = try daemon.client()

        let missing = try client.check(["id": 1])
        #expect(missing.reason == "missing_key")
        #expect(missing.status == 401)
        #expect(missing["tenant_id"] is NSNull)
        #expect(missing.body["error"] as? String != nil)

        let unknown = try client.check(["api_key": "ak_unknown_" + UUID().uuidString])
        #expect(unknown.reason == "invalid_key")
        #expect(unknown.status == 401)

        #expect(try client.check(["api_key": tenant.key]).reason == "ok")
        try db.aegis(["key", "revoke", tenant.keyID])
        #expect(try eventually(timeout: 5) { try client.check(["api_key": tenant.key]).reason == "invalid_key" })
    }

    @Test func suspendedTenantIs403AndActivationRestoresIt() throws {
        let db = try database()
        let tenant = try db.tenant()
        let daemon = try DaemonProcess(databaseURL: db.url)
        let client = try daemon.client()
        #expect(try client.check(["api_key": tenant.key]).reason == "ok")

        try db.aegis(["tenant", "suspend", tenant.tenantID])
        #expect(try eventually(timeout: 5) { try client.check(["api_key": tenant.key]).reason == "tenant_suspended" })
        let suspended = try client.check(["api_key": tenant.key])
        #expect(suspended.status == 403)
        #expect(suspended["tenant_id"] as? String == tenant.tenantID)

        try db.aegis(["tenant", "activate", tenant.tenantID])
        #expect(try eventually(timeout: 5) { try client.check(["api_key": tenant.key]).reason == "ok" })
    }

    @Test func burstRateAndQuotaDenialsCarryTheSeedBody() throws {
        let db = try database()
        let daemon = try DaemonProcess(databaseURL: db.url)
        let client = try daemon.client()

        let bursty = try db.tenant(burst: 3, rpm: 1_000, quota: 1_000)
        for _ in 0..<3 { #expect(try client.check(["api_key": bursty.key]).reason == "ok") }
        let burst = try client.check(["api_key": bursty.key])
        #expect(burst.reason == "burst_exceeded")
        #expect(burst.status == 429)
        #expect(burst.headers["Retry-After"] == "1")
        #expect(burst.body["error"] as? String == "Rate limit exceeded")
        #expect(burst.body["window"] as? String == "1s")
        #expect(burst.body["limit"] as? Int == 3)
        #expect(burst.body["current"] as? Int == 4)

        let steady = try db.tenant(burst: 100, rpm: 5, quota: 1_000)
        for _ in 0..<5 { #expect(try client.check(["api_key": steady.key]).reason == "ok") }
        let rate = try client.check(["api_key": steady.key])
        #expect(rate.reason == "rate_exceeded")
        #expect(rate.body["window"] as? String == "60s")
        #expect(rate.body["limit"] as? Int == 5)
        #expect(rate.body["current"] as? Int == 6)
        let retry = try #require(rate.headers["Retry-After"].flatMap { Int($0) })
        #expect((59...60).contains(retry))

        let capped = try db.tenant(burst: 100, rpm: 1_000, quota: 4)
        for _ in 0..<4 { #expect(try client.check(["api_key": capped.key]).reason == "ok") }
        let quota = try client.check(["api_key": capped.key])
        #expect(quota.reason == "quota_exceeded")
        #expect(quota.body["window"] as? String == "month")
        #expect(quota.body["limit"] as? Int == 4)
        #expect(quota.body["current"] as? Int == 5)
    }

    @Test func softPlanAdmitsPastItsQuotaAsOverage() throws {
        let db = try database()
        let daemon = try DaemonProcess(databaseURL: db.url)
        let client = try daemon.client()
        let soft = try db.tenant(burst: 100, rpm: 1_000, quota: 2, enforcement: "soft")

        #expect(try client.check(["api_key": soft.key]).reason == "ok")
        #expect(try client.check(["api_key": soft.key]).reason == "ok")
        let over = try client.check(["api_key": soft.key])
        #expect(over.reason == "quota_overage")
        #expect(over.allow == true)
        #expect(over.status == 200)
    }

    @Test func badRequestsAre400AndKeepTheConnection() throws {
        let db = try database()
        let tenant = try db.tenant()
        let daemon = try DaemonProcess(databaseURL: db.url)
        let client = try daemon.client()

        for bad in [
            "{", "[]", "{\"cost\":0}", "{\"cost\":-1}", "{\"cost\":\"2\"}", "{\"cost\":1.5}",
            "{\"type\":\"dance\"}", "{\"api_key\":7}", "{\"headers\":[]}",
        ] {
            try client.sendRaw(Array(bad.utf8))
            let reply = try client.receive()
            #expect(reply.reason == "bad_request", "\(bad)")
            #expect(reply.status == 400)
        }
        let idEchoed = try client.check(["id": 77, "cost": 0])
        #expect(idEchoed["id"] as? Int == 77)
        #expect(try client.check(["api_key": tenant.key]).reason == "ok")
    }

    @Test func healthReportsBothDependencies() throws {
        let db = try database()
        let daemon = try DaemonProcess(databaseURL: db.url)
        let reply = try daemon.client().check(["type": "health", "id": "h"])
        #expect(reply["message"] as? String == "hoho")
        #expect(reply["redis"] as? String == "up")
        #expect(reply["postgres"] as? String == "up")
        #expect(reply["id"] as? String == "h")
    }

    @Test func realRepliesMatchTheSchemas() throws {
        let db = try database()
        let daemon = try DaemonProcess(databaseURL: db.url)
        let client = try daemon.client()
        let tenant = try db.tenant(burst: 1, rpm: 100, quota: 100)
        var replies: [[UInt8]] = []
        for request in [
            "{\"id\":\"s\",\"api_key\":\"\(tenant.key)\"}", "{\"id\":2,\"api_key\":\"\(tenant.key)\"}",
            "{}", "{\"api_key\":\"nope\"}", "{\"cost\":0}", "not json",
        ] {
            try client.sendRaw(Array(request.utf8))
            replies.append(try client.receiveRaw())
        }
        try validate(replies, against: "check-reply.schema.json")
        try client.sendRaw(Array("{\"type\":\"health\"}".utf8))
        try validate([try client.receiveRaw()], against: "health-reply.schema.json")
    }
}
