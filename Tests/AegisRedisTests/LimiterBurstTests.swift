import AegisCore
import Testing

@testable import AegisRedis

@Suite struct LimiterBurstTests {
    /// Rate and quota far away, so only the bucket decides.
    static let plan = Plan(burstRPS: 5, sustainedRPM: 10_000, monthlyQuota: 1_000_000, enforcement: .hard)
    static let start = utcMicros(2026, 3, 10, 12)

    @Test func admitsExactlyTheCapacityAtOnceThenDenies() throws {
        let harness = try LimiterHarness(plan: Self.plan)
        for expectedRemaining in [4, 3, 2, 1, 0] {
            let outcome = try harness.check(at: Self.start)
            #expect(outcome.reason == .ok)
            #expect(outcome.burstRemaining == expectedRemaining)
            #expect(outcome.retryAfterMs == 0)
        }
        let denied = try harness.check(at: Self.start)
        #expect(denied.reason == .burstExceeded)
        #expect(denied.burstRemaining == 0)
        // One token refills in 1/5 s; the bucket is full one second after it emptied.
        #expect(denied.retryAfterMs == 200)
        #expect(denied.burstResetMs == 1000)
        #expect(denied.quotaUsed == 5)
        #expect(denied.rateRemaining == 9_995)
    }

    @Test func refillsContinuouslyAtTheBurstRate() throws {
        let harness = try LimiterHarness(plan: Self.plan)
        for _ in 0..<5 {
            _ = try harness.check(at: Self.start)
        }
        #expect(try harness.check(at: Self.start + .ms(199) + 999).reason == .burstExceeded)
        let refilled = try harness.check(at: Self.start + .ms(200))
        #expect(refilled.reason == .ok)
        #expect(refilled.burstRemaining == 0)
        #expect(refilled.burstResetMs == 1000)

        // 0.6 s later three tokens are back; a cost of 3 fits, a fourth request does not.
        #expect(try harness.check(cost: 3, at: Self.start + .ms(800)).reason == .ok)
        let fourth = try harness.check(at: Self.start + .ms(800))
        #expect(fourth.reason == .burstExceeded)
        #expect(fourth.retryAfterMs == 200)
    }

    @Test func neverHoldsMoreThanTheCapacity() throws {
        let harness = try LimiterHarness(plan: Self.plan)
        _ = try harness.check(at: Self.start)
        // Idle for a minute: the bucket is full, not overfull.
        let later = Self.start + .seconds(60)
        for _ in 0..<5 {
            #expect(try harness.check(at: later).reason == .ok)
        }
        #expect(try harness.check(at: later).reason == .burstExceeded)
    }

    @Test func aCostAboveTheCapacityNeverPassesAndSaysWaitOneRefill() throws {
        let harness = try LimiterHarness(plan: Self.plan)
        #expect(try harness.check(at: Self.start - .seconds(5)).reason == .ok)
        let before = try harness.snapshot()
        let denied = try harness.check(cost: 6, at: Self.start)
        #expect(denied.reason == .burstExceeded)
        #expect(denied.retryAfterMs == 1000)
        #expect(denied.burstRemaining == 5)
        #expect(try harness.snapshot() == before)
        #expect(try harness.check(cost: 6, at: Self.start + .seconds(10)).reason == .burstExceeded)
        #expect(try harness.check(cost: 5, at: Self.start + .seconds(10)).reason == .ok)
    }

    @Test func aClockThatGoesBackwardsRefillsNothing() throws {
        let harness = try LimiterHarness(plan: Self.plan)
        for _ in 0..<5 {
            _ = try harness.check(at: Self.start)
        }
        #expect(try harness.check(at: Self.start - .seconds(5)).reason == .burstExceeded)
        #expect(try harness.check(at: Self.start + .ms(199)).reason == .burstExceeded)
        #expect(try harness.check(at: Self.start + .ms(200)).reason == .ok)
    }

    @Test func aZeroBurstPlanDeniesEverything() throws {
        let harness = try LimiterHarness(
            plan: Plan(burstRPS: 0, sustainedRPM: 60, monthlyQuota: 100, enforcement: .soft))
        let denied = try harness.check(at: Self.start)
        #expect(denied.reason == .burstExceeded)
        #expect(denied.retryAfterMs == 1000)
        #expect(denied.burstRemaining == 0)
    }
}
