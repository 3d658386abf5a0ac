import AegisCore
import Foundation
import Testing

@testable import AegisRedis

/// Runs the limiter script for one fresh tenant on the shared test server, with an injected clock.
final class LimiterHarness {
    let client: RedisClient
    let tenantID: String
    var plan: Plan

    init(plan: Plan, client: RedisClient? = nil) throws {
        self.client = try client ?? TestRedis.client()
        tenantID = TestRedis.unique("tenant")
        self.plan = plan
    }

    deinit {
        _ = try? client.command(["DEL"] + LimiterScript.keys(tenantID: tenantID))
    }

    /// One call; `seed` defaults to 0 so the first call of a month starts a counter, as the
    /// daemon does after reading an empty `monthly_usage`.
    func call(cost: Int = 1, at micros: Int64?, seed: Int64? = 0, useEval: Bool = false) throws -> LimiterResult {
        var encoded: [UInt8] = []
        LimiterScript.appendInvocation(
            tenantID: tenantID, plan: plan, cost: cost, seed: seed, nowMicros: micros, useEval: useEval,
            to: &encoded)
        var reply = try client.send(encoded: encoded, replyCount: 1)[0]
        if reply.isNoScript {
            // Another test may have flushed the script cache; reload it the way the daemon does.
            encoded.removeAll()
            LimiterScript.appendInvocation(
                tenantID: tenantID, plan: plan, cost: cost, seed: seed, nowMicros: micros, useEval: true,
                to: &encoded)
            reply = try client.send(encoded: encoded, replyCount: 1)[0]
        }
        return try LimiterScript.decode(reply)
    }

    /// One call that must be decided (not a seed request).
    func check(cost: Int = 1, at micros: Int64?, seed: Int64? = 0) throws -> LimitOutcome {
        let result = try call(cost: cost, at: micros, seed: seed)
        guard case .decided(let outcome) = result else {
            throw HarnessError(description: "expected a decision, got \(result)")
        }
        return outcome
    }

    /// The serialized content and absolute expiry of the tenant's three keys: equal snapshots
    /// mean nothing changed.
    func snapshot() throws -> [RedisReply] {
        let keys = LimiterScript.keys(tenantID: tenantID)
        return try client.pipeline(keys.map { ["DUMP", $0] } + keys.map { ["PEXPIRETIME", $0] })
    }

    /// Makes `other`'s keys exact copies of this tenant's (DUMP and RESTORE).
    func copyState(to other: LimiterHarness) throws {
        let source = LimiterScript.keys(tenantID: tenantID)
        let target = LimiterScript.keys(tenantID: other.tenantID)
        let dumps = try client.pipeline(source.map { ["DUMP", $0] })
        var encoded: [UInt8] = []
        var count = 0
        for (key, dump) in zip(target, dumps) {
            guard case .bulk(let payload) = dump else { continue }
            RESPWriter.appendArrayHeader(count: 5, to: &encoded)
            RESPWriter.appendBulk("RESTORE", to: &encoded)
            RESPWriter.appendBulk(key, to: &encoded)
            RESPWriter.appendBulk(60_000, to: &encoded)
            RESPWriter.appendBulk(payload, to: &encoded)
            RESPWriter.appendBulk("REPLACE", to: &encoded)
            count += 1
        }
        for reply in try other.client.send(encoded: encoded, replyCount: count) where reply != .status("OK") {
            throw HarnessError(description: "RESTORE failed: \(reply)")
        }
    }

    struct HarnessError: Error, CustomStringConvertible {
        var description: String
    }
}

/// Microseconds since the epoch for a UTC wall-clock time.
func utcMicros(
    _ year: Int, _ month: Int, _ day: Int, _ hour: Int = 0, _ minute: Int = 0, _ second: Int = 0,
    milliseconds: Int = 0
) -> Int64 {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(identifier: "UTC")!
    let date = calendar.date(
        from: DateComponents(year: year, month: month, day: day, hour: hour, minute: minute, second: second))!
    return Int64(date.timeIntervalSince1970) * 1_000_000 + Int64(milliseconds) * 1000
}

extension Int64 {
    static func ms(_ value: Int64) -> Int64 { value * 1000 }
    static func seconds(_ value: Int64) -> Int64 { value * 1_000_000 }
}

extension RedisReply {
    /// The elements of an array reply as text, as for `HKEYS`; `nil` for any other reply.
    var arrayOfStrings: [String]? {
        guard case .array(let elements) = self else { return nil }
        return elements.compactMap(\.string)
    }
}
