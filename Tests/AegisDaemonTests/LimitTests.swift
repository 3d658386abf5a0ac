import Foundation
import Testing

/// The limits hold exactly, under concurrency, with costs, and over the real clock.
@Suite struct LimitTests {
    @Test func hardQuotaAdmitsExactlyItsSizeUnderConcurrentConnections() throws {
        let db = try database()
        let quota = 300
        let tenant = try db.tenant(burst: 100_000, rpm: 1_000_000, quota: Int64(quota))
        let daemon = try DaemonProcess(databaseURL: db.url)
        let connections = 24
        let perConnection = 20

        let allowed = Counter()
        let errors = Counter()
        DispatchQueue.concurrentPerform(iterations: connections) { _ in
            do {
                let client = try daemon.client()
                for _ in 0..<perConnection {
                    try client.send(["api_key": tenant.key])
                }
                for _ in 0..<perConnection where try client.receive().allow == true {
                    allowed.add(1)
                }
            } catch {
                errors.add(1)
            }
        }
        #expect(errors.value == 0)
        #expect(allowed.value == quota)
    }

    @Test func deniedCostConsumesNothing() throws {
        let db = try database()
        let tenant = try db.tenant(burst: 10, rpm: 1_000, quota: 1_000)
        let daemon = try DaemonProcess(databaseURL: db.url)
        let client = try daemon.client()

        let big = try client.check(["api_key": tenant.key, "cost": 7])
        #expect(big.reason == "ok")
        #expect(big.headers["RateLimit"]?.contains("\"burst\";r=3") == true)
        let tooBig = try client.check(["api_key": tenant.key, "cost": 4])
        #expect(tooBig.reason == "burst_exceeded")
        let fits = try client.check(["api_key": tenant.key, "cost": 3])
        #expect(fits.reason == "ok")
        #expect(fits.headers["X-RateLimit-Remaining"] == "990")
        #expect(fits.headers["RateLimit"]?.contains("\"month\";r=990") == true)
    }

    @Test func pipelinedRepliesKeepRequestOrderAndEchoIDs() throws {
        let db = try database()
        let tenant = try db.tenant()
        let daemon = try DaemonProcess(databaseURL: db.url)
        let client = try daemon.client()
        let other = try db.tenant()

        // Mixed: cache misses (first use of each key), hits, health and bad requests in one burst.
        var expected: [String] = []
        for index in 0..<200 {
            switch index % 5 {
            case 0: try client.send(["id": "r\(index)", "api_key": tenant.key])
            case 1: try client.send(["id": "r\(index)", "api_key": other.key])
            case 2: try client.send(["id": "r\(index)", "type": "health"])
            case 3: try client.send(["id": "r\(index)", "cost": 0])
            default: try client.send(["id": "r\(index)", "api_key": "ak_nobody_\(index)"])
            }
            expected.append("r\(index)")
        }
        var seen: [String] = []
        for _ in 0..<200 { seen.append(try client.receive()["id"] as? String ?? "?") }
        #expect(seen == expected)
    }

    /// No 60-second interval admits more than the plan's rpm, checked against the real clock.
    @Test(.timeLimit(.minutes(3))) func rollingWindowHoldsOnTheRealClock() throws {
        let db = try database()
        let tenant = try db.tenant(burst: 100, rpm: 6, quota: 1_000)
        let daemon = try DaemonProcess(databaseURL: db.url)
        let client = try daemon.client()
        let start = Date()

        var admitted: [Double] = []
        // 4 now, 4 more at 30 s (2 fit), then at 61 s the first 4 have left the window.
        for _ in 0..<4 where try client.check(["api_key": tenant.key]).allow == true {
            admitted.append(Date().timeIntervalSince(start))
        }
        Thread.sleep(until: start.addingTimeInterval(30))
        var retryAfter = 0
        for _ in 0..<4 {
            let reply = try client.check(["api_key": tenant.key])
            if reply.allow == true {
                admitted.append(Date().timeIntervalSince(start))
            } else {
                #expect(reply.reason == "rate_exceeded")
                retryAfter = Int(reply.headers["Retry-After"] ?? "") ?? 0
            }
        }
        #expect(admitted.count == 6)
        #expect((29...31).contains(retryAfter))

        Thread.sleep(until: start.addingTimeInterval(59))
        #expect(try client.check(["api_key": tenant.key]).reason == "rate_exceeded")
        Thread.sleep(until: start.addingTimeInterval(61))
        for _ in 0..<5 where try client.check(["api_key": tenant.key]).allow == true {
            admitted.append(Date().timeIntervalSince(start))
        }
        #expect(admitted.count == 10)
        for (index, time) in admitted.enumerated() {
            let inWindow = admitted[index...].filter { $0 < time + 60 }.count
            #expect(inWindow <= 6, "more than 6 admissions in the minute after \(time) s")
        }
    }

    @Test func planChangeReachesTheDaemonWithinFiveSeconds() throws {
        let db = try database()
        let tenant = try db.tenant(burst: 2, rpm: 1_000, quota: 1_000)
        let daemon = try DaemonProcess(databaseURL: db.url)
        let client = try daemon.client()
        #expect(try client.check(["api_key": tenant.key]).headers["X-RateLimit-Limit"] == "1000")

        let planName = try db.query("SELECT name FROM plans WHERE id = '\(tenant.planID)'")[0][0]
        try db.aegis(["plan", "update", planName, "--rpm", "777"])
        #expect(
            try eventually(timeout: 5) {
                try client.check(["api_key": tenant.key]).headers["X-RateLimit-Limit"] == "777"
            })

        let other = try db.aegisJSON([
            "plan", "create", "--name", "other-\(tenant.tenantID.prefix(8))", "--burst-rps", "50", "--rpm", "333",
            "--monthly-quota", "9", "--enforcement", "soft",
        ])
        try db.aegis(["tenant", "set-plan", tenant.tenantID, try #require(other["id"] as? String)])
        #expect(
            try eventually(timeout: 5) {
                try client.check(["api_key": tenant.key]).headers["X-RateLimit-Limit"] == "333"
            })
    }
}

extension LimitTests {
    /// A change whose NOTIFY never arrived still reaches the daemon, through its poll of change_log.
    @Test func changeWithoutANotificationArrivesWithinFiveSeconds() throws {
        let db = try database()
        let tenant = try db.tenant()
        let daemon = try DaemonProcess(databaseURL: db.url)
        let client = try daemon.client()
        #expect(try client.check(["api_key": tenant.key]).reason == "ok")

        try db.query(
            "BEGIN; UPDATE tenants SET status = 'suspended' WHERE id = '\(tenant.tenantID)'; "
                + "INSERT INTO change_log (kind, target) VALUES ('tenant', '\(tenant.tenantID)'); COMMIT;")
        let started = Date()
        #expect(try eventually(timeout: 5) { try client.check(["api_key": tenant.key]).reason == "tenant_suspended" })
        #expect(Date().timeIntervalSince(started) < 5)
    }
}

/// A thread-safe tally for concurrent test clients.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0

    func add(_ amount: Int) {
        lock.lock()
        count += amount
        lock.unlock()
    }

    var value: Int {
        lock.lock()
        defer { lock.unlock() }
        return count
    }
}
