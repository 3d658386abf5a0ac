import AegisCore
import Testing

@testable import AegisRedis

@Suite struct LimiterRateTests {
    /// A bucket large enough never to matter, so only the sliding window decides.
    static let plan = Plan(burstRPS: 1000, sustainedRPM: 10, monthlyQuota: 1_000_000, enforcement: .hard)
    static let start = utcMicros(2026, 3, 10, 12)

    @Test func admitsExactlyTheLimitInAnyMinuteThenDenies() throws {
        let harness = try LimiterHarness(plan: Self.plan)
        for index in 0..<10 {
            let outcome = try harness.check(at: Self.start + .seconds(Int64(index)))
            #expect(outcome.reason == .ok)
            #expect(outcome.rateRemaining == 9 - index)
            // The oldest admission (at `start`) leaves the window 60 s after it was made.
            #expect(outcome.rateResetMs == 60_000 - Int64(index) * 1000)
        }
        let denied = try harness.check(at: Self.start + .seconds(10))
        #expect(denied.reason == .rateExceeded)
        #expect(denied.rateRemaining == 0)
        #expect(denied.retryAfterMs == 50_000)
        #expect(denied.rateResetMs == 50_000)
    }

    @Test func admitsAgainExactlyWhenTheOldestLeaves() throws {
        let harness = try LimiterHarness(plan: Self.plan)
        for index in 0..<10 {
            _ = try harness.check(at: Self.start + .seconds(Int64(index)))
        }
        #expect(try harness.check(at: Self.start + .seconds(60) - 1).reason == .rateExceeded)
        let admitted = try harness.check(at: Self.start + .seconds(60))
        #expect(admitted.reason == .ok)
        #expect(admitted.rateRemaining == 0)
        // The next slot frees when the admission made at start + 1 s leaves.
        let next = try harness.check(at: Self.start + .seconds(60))
        #expect(next.reason == .rateExceeded)
        #expect(next.retryAfterMs == 1000)
        #expect(try harness.check(at: Self.start + .seconds(61)).reason == .ok)
    }

    @Test func weighsAdmissionsByCost() throws {
        let harness = try LimiterHarness(plan: Self.plan)
        #expect(try harness.check(cost: 4, at: Self.start).rateRemaining == 6)
        #expect(try harness.check(cost: 4, at: Self.start + .seconds(1)).rateRemaining == 2)
        let denied = try harness.check(cost: 3, at: Self.start + .seconds(2))
        #expect(denied.reason == .rateExceeded)
        // One more unit is needed: the first admission (cost 4) leaving frees it.
        #expect(denied.retryAfterMs == 58_000)
        let bigger = try harness.check(cost: 7, at: Self.start + .seconds(2))
        // Five more units are needed: both admissions must leave.
        #expect(bigger.retryAfterMs == 59_000)
        #expect(try harness.check(cost: 2, at: Self.start + .seconds(2)).reason == .ok)
        #expect(try harness.check(cost: 3, at: Self.start + .seconds(60)).reason == .ok)
    }

    @Test func aCostAboveTheLimitNeverPasses() throws {
        let harness = try LimiterHarness(plan: Self.plan)
        let denied = try harness.check(cost: 11, at: Self.start)
        #expect(denied.reason == .rateExceeded)
        #expect(denied.retryAfterMs == 60_000)
        #expect(try harness.check(cost: 10, at: Self.start).reason == .ok)
    }

    @Test func keepsOnlyTheLastMinuteOfAdmissions() throws {
        let harness = try LimiterHarness(plan: Self.plan)
        let window = LimiterScript.keys(tenantID: harness.tenantID)[1]
        for index in 0..<30 {
            _ = try harness.check(at: Self.start + .seconds(Int64(index) * 7))
        }
        // Admissions at 140 s...203 s are the ones less than 60 s before the last one (203 s).
        #expect(try harness.client.command(["ZCARD", window]) == .integer(9))
        let ttl = try harness.client.command(["PTTL", window]).int64 ?? 0
        #expect(ttl > 55_000 && ttl <= 61_000)
    }

    @Test func rebuildsTheTotalWhenTheStateHashWasEvicted() throws {
        let harness = try LimiterHarness(plan: Self.plan)
        let keys = LimiterScript.keys(tenantID: harness.tenantID)
        _ = try harness.check(cost: 3, at: Self.start)
        _ = try harness.check(cost: 4, at: Self.start + .seconds(1))
        #expect(try harness.client.command(["DEL", keys[0]]) == .integer(1))

        let outcome = try harness.check(cost: 2, at: Self.start + .seconds(2))
        #expect(outcome.reason == .ok)
        #expect(outcome.rateRemaining == 1)
        // The sequence resumed past the surviving members, so the new one did not replace any.
        #expect(try harness.client.command(["ZCARD", keys[1]]) == .integer(3))
        #expect(try harness.check(cost: 2, at: Self.start + .seconds(2)).reason == .rateExceeded)
    }

    @Test func stateAndWindowExpireAMinuteAfterTheLastAdmission() throws {
        let harness = try LimiterHarness(plan: Self.plan)
        _ = try harness.check(at: Self.start)
        for key in LimiterScript.keys(tenantID: harness.tenantID).prefix(2) {
            let ttl = try harness.client.command(["PTTL", key]).int64 ?? 0
            #expect(ttl > 55_000 && ttl <= 61_000)
        }
    }
}
