import AegisCore
import AegisTestSupport
import Testing

@testable import AegisRedis

/// Random traffic over several minutes of injected time: the script must agree with
/// ``LimitOracle`` on every check, no 60-second interval may admit more than the limit, and
/// sampled denials must be retryable exactly at their `retryAfterMs`.
@Suite struct LimiterPropertyTests {
    static let plans = [
        Plan(burstRPS: 4, sustainedRPM: 30, monthlyQuota: 1_000_000, enforcement: .soft),
        Plan(burstRPS: 10, sustainedRPM: 25, monthlyQuota: 300, enforcement: .hard),
        Plan(burstRPS: 3, sustainedRPM: 100, monthlyQuota: 150, enforcement: .soft),
    ]

    @Test(arguments: plans)
    func randomArrivalsNeverOverrunTheWindowAndEveryDenialIsJustified(plan: Plan) throws {
        let seed = UInt64.random(in: 0...UInt64.max)
        var generator = SeededGenerator(seed: seed)
        let harness = try LimiterHarness(plan: plan)
        var oracle = LimitOracle(plan: plan)
        var now = utcMicros(2026, 5, 20, 8)
        var denials = 0
        var retriesChecked = 0

        for _ in 0..<700 {
            now += Self.gap(using: &generator)
            let cost = [1, 1, 1, 2, 3].randomElement(using: &generator)!
            let expected = oracle.expectedReason(cost: cost, at: now)
            let outcome = try harness.check(cost: cost, at: now)
            #expect(outcome.reason == expected, "seed \(seed) at \(now) cost \(cost)")
            if outcome.reason.allows {
                oracle.record(cost: cost, at: now)
                #expect(outcome.rateRemaining == plan.sustainedRPM - oracle.windowCost(at: now), "seed \(seed)")
            } else {
                denials += 1
                if Int.random(in: 0..<10, using: &generator) == 0 {
                    try expectExactRetry(harness, at: now, cost: cost, retryAfterMs: outcome.retryAfterMs)
                    retriesChecked += 1
                }
            }
            #expect(outcome.quotaUsed == oracle.used, "seed \(seed)")
        }

        // The property itself, from the admissions alone: every 60 s interval ending at an
        // admission holds at most the limit (those are the intervals that could hold the most).
        for admission in oracle.admitted {
            #expect(oracle.windowCost(at: admission.at) <= plan.sustainedRPM, "seed \(seed)")
        }
        #expect(oracle.admitted.count > 50 && denials > 50, "seed \(seed): the traffic tested both sides")
        #expect(retriesChecked > 0, "seed \(seed)")
    }

    /// Mostly short gaps with some pauses, so every limit gets hit and recovers.
    private static func gap(using generator: inout SeededGenerator) -> Int64 {
        switch Int.random(in: 0..<10, using: &generator) {
        case 0..<4: Int64.random(in: 0...20_000, using: &generator)
        case 4..<8: Int64.random(in: 20_000...600_000, using: &generator)
        case 8: Int64.random(in: 600_000...5_000_000, using: &generator)
        default: Int64.random(in: 5_000_000...30_000_000, using: &generator)
        }
    }

    /// On a copy of the keys as they are at a denial, retrying 1 ms before the advertised moment
    /// must fail and at it must pass.
    private func expectExactRetry(_ harness: LimiterHarness, at now: Int64, cost: Int, retryAfterMs: Int64) throws {
        let copy = try LimiterHarness(plan: harness.plan, client: harness.client)
        try harness.copyState(to: copy)
        #expect(!(try copy.check(cost: cost, at: now + .ms(retryAfterMs) - 1000).reason.allows))
        #expect(try copy.check(cost: cost, at: now + .ms(retryAfterMs)).reason.allows)
    }
}
