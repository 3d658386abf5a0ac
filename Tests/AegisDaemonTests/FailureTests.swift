import Foundation
import Testing

/// Redis and PostgreSQL outages: bounded answers in both fail modes, and recovery without a restart.
@Suite struct FailureTests {
    @Test(arguments: ["open", "closed"])
    func redisOutageIsAnsweredQuicklyAndRecovers(mode: String) throws {
        let db = try database()
        let tenant = try db.tenant()
        let redis = try PrivateRedis()
        let daemon = try DaemonProcess(databaseURL: db.url, redisURL: redis.url, arguments: ["--fail-mode", mode])
        let client = try daemon.client()
        #expect(try client.check(["api_key": tenant.key]).reason == "ok")

        redis.stop()
        let expected = mode == "open" ? "fail_open" : "unavailable"
        for _ in 0..<5 {
            let started = Date()
            let reply = try client.check(["api_key": tenant.key])
            #expect(Date().timeIntervalSince(started) < 1)
            #expect(reply.reason == expected)
            #expect(reply.status == (mode == "open" ? 200 : 503))
            #expect(reply["tenant_id"] as? String == tenant.tenantID)
        }
        // Authentication never fails open.
        #expect(try client.check(["api_key": "ak_nobody"]).reason == "invalid_key")
        let health = try client.check(["type": "health"])
        #expect(health["redis"] as? String == "down")

        try redis.start()
        #expect(try eventually(timeout: 5) { try client.check(["api_key": tenant.key]).reason == "ok" })
        #expect(daemon.log.contains("Redis connection lost"))
        #expect(daemon.log.contains("Redis connection restored"))
    }

    @Test func hungRedisIsAnsweredWithinTheTimeout() throws {
        let db = try database()
        let tenant = try db.tenant()
        let redis = try PrivateRedis()
        let daemon = try DaemonProcess(
            databaseURL: db.url, redisURL: redis.url, arguments: ["--fail-mode", "closed", "--redis-timeout-ms", "200"])
        let client = try daemon.client()
        #expect(try client.check(["api_key": tenant.key]).reason == "ok")

        redis.pause()
        defer { redis.resume() }
        for _ in 0..<3 {
            let started = Date()
            let reply = try client.check(["api_key": tenant.key])
            #expect(Date().timeIntervalSince(started) < 1)
            #expect(reply.reason == "unavailable")
        }
        redis.resume()
        #expect(try eventually(timeout: 5) { try client.check(["api_key": tenant.key]).reason == "ok" })
    }

    @Test func postgresOutageKeepsCachedKeysAndRefusesUnknownOnes() throws {
        let db = try database()
        let cached = try db.tenant()
        let uncached = try db.tenant()
        let (proxy, proxiedURL) = try TCPProxy.inFront(ofDatabase: db.url)
        let daemon = try DaemonProcess(databaseURL: proxiedURL)
        let client = try daemon.client()
        #expect(try client.check(["api_key": cached.key]).reason == "ok")

        proxy.cut()
        #expect(try eventually(timeout: 5) { try client.check(["type": "health"])["postgres"] as? String == "down" })
        for _ in 0..<3 { #expect(try client.check(["api_key": cached.key]).reason == "ok") }
        let unknown = try client.check(["api_key": uncached.key])
        #expect(unknown.reason == "unavailable")
        #expect(unknown.status == 503)

        proxy.restore()
        #expect(try eventually(timeout: 10) { try client.check(["api_key": uncached.key]).reason == "ok" })
    }

    @Test func redisNameThatDoesNotResolveIsAnsweredByTheFailMode() throws {
        let db = try database()
        let tenant = try db.tenant()
        let daemon = try DaemonProcess(
            databaseURL: db.url, redisURL: "redis://no-such-host.invalid:6379", arguments: ["--fail-mode", "closed"])
        let client = try daemon.client()
        for _ in 0..<3 {
            let started = Date()
            #expect(try client.check(["api_key": tenant.key]).reason == "unavailable")
            #expect(Date().timeIntervalSince(started) < 1)
            usleep(300_000)
        }
        #expect(try client.check(["type": "health"])["redis"] as? String == "down")
    }
}
