import Foundation
import Testing

/// Usage and the audit log match the decisions, whatever happens to the daemon or PostgreSQL.
@Suite struct DurabilityTests {
    private func send(_ count: Int, key: String, to daemon: DaemonProcess) throws -> [String: Int] {
        let client = try daemon.client()
        for _ in 0..<count {
            try client.send(["api_key": key, "method": "GET", "path": "/d", "client_ip": "10.1.2.3"])
        }
        var reasons: [String: Int] = [:]
        for _ in 0..<count { reasons[try client.receive().reason ?? "?", default: 0] += 1 }
        return reasons
    }

    private func logged(_ db: TestDatabase, _ tenantID: String) throws -> [String: Int] {
        var reasons: [String: Int] = [:]
        for row in try db.query("SELECT reason, count(*) FROM request_logs WHERE tenant_id = '\(tenantID)' GROUP BY 1")
        {
            reasons[row[0]] = Int(row[1])
        }
        return reasons
    }

    private func used(_ db: TestDatabase, _ tenantID: String) throws -> Int {
        Int(
            try db.query("SELECT coalesce(sum(requests_used), 0) FROM monthly_usage WHERE tenant_id = '\(tenantID)'")[
                0][0]) ?? -1
    }

    @Test func sigtermShipsEveryDecisionAndExitsCleanly() throws {
        let db = try database()
        let tenant = try db.tenant(burst: 100_000, rpm: 1_000_000, quota: 150)
        let daemon = try DaemonProcess(databaseURL: db.url, arguments: ["--ship-interval-ms", "60000"])
        let reasons = try send(200, key: tenant.key, to: daemon)
        #expect(reasons == ["ok": 150, "quota_exceeded": 50])

        #expect(try daemon.terminate() == 0)
        #expect(!FileManager.default.fileExists(atPath: daemon.socketPath))
        #expect(try logged(db, tenant.tenantID) == reasons)
        #expect(try used(db, tenant.tenantID) == 150)
        let row = try db.query(
            "SELECT api_key_id, decision, status, method, path, client_ip FROM request_logs "
                + "WHERE tenant_id = '\(tenant.tenantID)' AND reason = 'ok' LIMIT 1")[0]
        #expect(row == [tenant.keyID, "allowed", "200", "GET", "/d", "10.1.2.3"])
    }

    @Test func sigkillLosesNothingOnceTheDaemonRestarts() throws {
        let db = try database()
        let tenant = try db.tenant(burst: 100_000, rpm: 1_000_000, quota: 1_000_000)
        let directory = TestEnvironment.temporaryDirectory()
        let first = try DaemonProcess(
            databaseURL: db.url, arguments: ["--ship-interval-ms", "60000"], directory: directory)
        let reasons = try send(300, key: tenant.key, to: first)
        try first.killHard()

        let second = try DaemonProcess(databaseURL: db.url, directory: directory)
        #expect(try eventually(timeout: 10) { try logged(db, tenant.tenantID) == reasons })
        #expect(try used(db, tenant.tenantID) == 300)
        #expect(try second.terminate() == 0)
        #expect(try logged(db, tenant.tenantID) == reasons)
    }

    @Test func decisionsWaitOutAPostgresOutage() throws {
        let db = try database()
        let tenant = try db.tenant()
        let (proxy, proxiedURL) = try TCPProxy.inFront(ofDatabase: db.url)
        let daemon = try DaemonProcess(databaseURL: proxiedURL)
        _ = try send(1, key: tenant.key, to: daemon)
        #expect(try eventually { try logged(db, tenant.tenantID)["ok"] == 1 })

        proxy.cut()
        let during = try send(100, key: tenant.key, to: daemon)
        #expect(during == ["ok": 100])
        Thread.sleep(forTimeInterval: 2)
        #expect(try logged(db, tenant.tenantID)["ok"] == 1)

        proxy.restore()
        #expect(try eventually(timeout: 15) { try logged(db, tenant.tenantID)["ok"] == 101 })
        #expect(try used(db, tenant.tenantID) == 101)
    }

    @Test func emptiedRedisReseedsTheQuotaFromPostgres() throws {
        let db = try database()
        let tenant = try db.tenant(burst: 100_000, rpm: 1_000_000, quota: 10)
        let redis = try PrivateRedis()
        let daemon = try DaemonProcess(databaseURL: db.url, redisURL: redis.url)
        #expect(try send(6, key: tenant.key, to: daemon) == ["ok": 6])
        #expect(try eventually { try used(db, tenant.tenantID) == 6 })

        redis.stop()
        try redis.start()
        let client = try daemon.client()
        #expect(try eventually(timeout: 5) { try client.check(["type": "health"])["redis"] as? String == "up" })
        let after = try send(6, key: tenant.key, to: daemon)
        #expect(after == ["ok": 4, "quota_exceeded": 2])
    }

    @Test func aDamagedSpoolLineDoesNotHoldUpTheOthers() throws {
        let db = try database()
        let directory = TestEnvironment.temporaryDirectory()
        try FileManager.default.createDirectory(atPath: directory + "/spool", withIntermediateDirectories: true)
        let good = UUID().uuidString.lowercased()
        let lines =
            "1\t\(good)\t1767225600000\t\t\tmissing_key\t401\tGET\t/damaged-test\t\t1\t\t\n"
            + "1\tnot-a-uuid\t1\t\t\tok\t200\t\t\t\t1\t\t\n"
        try lines.write(toFile: directory + "/spool/segment-000000000001.log", atomically: true, encoding: .utf8)

        let daemon = try DaemonProcess(databaseURL: db.url, directory: directory)
        #expect(try eventually { try db.query("SELECT count(*) FROM request_logs WHERE id = '\(good)'") == [["1"]] })
        #expect(daemon.log.contains("storing it record by record"))
    }
}
