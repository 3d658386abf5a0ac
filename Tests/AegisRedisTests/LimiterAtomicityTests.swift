import AegisCore
import Testing

@testable import AegisRedis

/// A denied check changes nothing; a retry after `retryAfterMs` succeeds, one millisecond earlier
/// it does not.
@Suite struct LimiterAtomicityTests {
    static let plan = Plan(burstRPS: 10, sustainedRPM: 12, monthlyQuota: 20, enforcement: .hard)
    static let start = utcMicros(2026, 3, 10, 12)

    private func expectDeniedWithoutChange(
        _ harness: LimiterHarness, cost: Int, at now: Int64, reason: Reason,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let before = try harness.snapshot()
        let denied = try harness.check(cost: cost, at: now)
        #expect(denied.reason == reason, sourceLocation: sourceLocation)
        #expect(try harness.snapshot() == before, "a denied check changed the keys", sourceLocation: sourceLocation)
    }

    @Test func aBurstDenialConsumesNothing() throws {
        let harness = try LimiterHarness(plan: Self.plan)
        #expect(try harness.check(cost: 7, at: Self.start).burstRemaining == 3)
        try expectDeniedWithoutChange(harness, cost: 5, at: Self.start, reason: .burstExceeded)
        let after = try harness.check(cost: 3, at: Self.start)
        #expect(after.reason == .ok)
        #expect(after.rateRemaining == 2)
        #expect(after.quotaUsed == 10)
    }

    @Test func aRateDenialConsumesNothing() throws {
        let harness = try LimiterHarness(plan: Self.plan)
        _ = try harness.check(cost: 5, at: Self.start)
        _ = try harness.check(cost: 4, at: Self.start + .seconds(2))
        try expectDeniedWithoutChange(harness, cost: 5, at: Self.start + .seconds(3), reason: .rateExceeded)
        let after = try harness.check(cost: 3, at: Self.start + .seconds(3))
        #expect(after.reason == .ok)
        #expect(after.burstRemaining == 7)
        #expect(after.quotaUsed == 12)
    }

    @Test func aQuotaDenialConsumesNothing() throws {
        let harness = try LimiterHarness(plan: Self.plan)
        _ = try harness.check(cost: 9, at: Self.start)
        _ = try harness.check(cost: 8, at: Self.start + .seconds(120))
        try expectDeniedWithoutChange(harness, cost: 5, at: Self.start + .seconds(240), reason: .quotaExceeded)
        let after = try harness.check(cost: 3, at: Self.start + .seconds(240))
        #expect(after.reason == .ok)
        #expect(after.quotaUsed == 20)
        #expect(after.burstRemaining == 7)
        #expect(after.rateRemaining == 9)
    }

    @Test func aDenialLeavesExpiredAdmissionsForTheNextAdmissionToRemove() throws {
        let harness = try LimiterHarness(plan: Self.plan)
        _ = try harness.check(cost: 2, at: Self.start)
        _ = try harness.check(cost: 10, at: Self.start + .seconds(59))
        // At 61 s the first admission has left the window, but the check is denied by the bucket.
        try expectDeniedWithoutChange(harness, cost: 11, at: Self.start + .seconds(61), reason: .burstExceeded)
        let window = LimiterScript.keys(tenantID: harness.tenantID)[1]
        #expect(try harness.client.command(["ZCARD", window]) == .integer(2))
        #expect(try harness.check(cost: 2, at: Self.start + .seconds(61)).reason == .ok)
        #expect(try harness.client.command(["ZCARD", window]) == .integer(2))
    }

    @Test func theFirstFailingLimitNamesTheDenialAndTheRetryWaitsForAll() throws {
        let harness = try LimiterHarness(plan: Self.plan)
        _ = try harness.check(cost: 2, at: Self.start)
        _ = try harness.check(cost: 10, at: Self.start + .seconds(1))
        // Bucket empty (back in 0.1 s) and window full (a slot frees at 60 s): burst is named,
        // the retry waits for the window.
        let denied = try harness.check(at: Self.start + .seconds(1))
        #expect(denied.reason == .burstExceeded)
        #expect(denied.retryAfterMs == 59_000)
    }

    struct Scenario: Sendable, CustomTestStringConvertible {
        var name: String
        var plan: Plan
        /// (cost, offset from start in microseconds), all admitted.
        var history: [(cost: Int, at: Int64)]
        var cost: Int
        var at: Int64
        var reason: Reason
        var testDescription: String { name }
    }

    static let scenarios: [Scenario] = [
        Scenario(
            name: "burst, one token",
            plan: Plan(burstRPS: 10, sustainedRPM: 1000, monthlyQuota: 1000, enforcement: .hard),
            history: [(10, 0)], cost: 1, at: 0, reason: .burstExceeded),
        Scenario(
            name: "burst, fractional refill",
            plan: Plan(burstRPS: 3, sustainedRPM: 1000, monthlyQuota: 1000, enforcement: .hard),
            history: [(3, 0)], cost: 2, at: 123, reason: .burstExceeded),
        Scenario(
            name: "burst, partly refilled",
            plan: Plan(burstRPS: 7, sustainedRPM: 1000, monthlyQuota: 1000, enforcement: .soft),
            history: [(7, 0), (2, 500_000)], cost: 5, at: 700_001, reason: .burstExceeded),
        Scenario(
            name: "rate, cost-weighted",
            plan: Plan(burstRPS: 100, sustainedRPM: 10, monthlyQuota: 1000, enforcement: .hard),
            history: [(3, 0), (3, 1_500_000), (4, 2_000_017)], cost: 4, at: 30_000_000, reason: .rateExceeded),
        Scenario(
            name: "burst and rate", plan: Plan(burstRPS: 5, sustainedRPM: 6, monthlyQuota: 1000, enforcement: .hard),
            history: [(1, 0), (5, 10_000_000)], cost: 2, at: 10_000_001, reason: .burstExceeded),
        Scenario(
            name: "hard quota", plan: Plan(burstRPS: 100, sustainedRPM: 1000, monthlyQuota: 5, enforcement: .hard),
            history: [(5, 0)], cost: 1, at: 1, reason: .quotaExceeded),
    ]

    @Test(arguments: scenarios)
    func retryingAtRetryAfterSucceedsAndOneMillisecondEarlierFails(scenario: Scenario) throws {
        let harness = try LimiterHarness(plan: scenario.plan)
        for (cost, offset) in scenario.history {
            #expect(try harness.check(cost: cost, at: Self.start + offset).reason.allows)
        }
        let now = Self.start + scenario.at
        let denied = try harness.check(cost: scenario.cost, at: now)
        #expect(denied.reason == scenario.reason)
        #expect(denied.retryAfterMs > 0)
        #expect(!(try harness.check(cost: scenario.cost, at: now + .ms(denied.retryAfterMs - 1)).reason.allows))
        #expect(try harness.check(cost: scenario.cost, at: now + .ms(denied.retryAfterMs)).reason.allows)
    }
}
