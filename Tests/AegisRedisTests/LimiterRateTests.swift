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

    @Test func theWindowExpiresAMinuteAfterTheLastAdmissionAndTheStateWithTheMonth() throws {
        let harness = try LimiterHarness(plan: Self.plan)
        _ = try harness.check(at: Self.start)
        let keys = LimiterScript.keys(tenantID: harness.tenantID)
        let window = try harness.client.command(["PTTL", keys[1]]).int64 ?? 0
        #expect(window > 55_000 && window <= 61_000)
        // The hash also holds the month's counter: it lives until ten days after the month.
        let state = try harness.client.command(["PTTL", keys[0]]).int64 ?? 0
        #expect(state > 10 * 86_400_000)
    }

    /// The window can vanish while the hash stays (its minute-long expiry after a quiet spell, or
    /// an eviction): the running total in the hash must not outlive the members it counted. Until
    /// the oldest admission it counted is due to leave, the total errs on the side of denying.
    @Test func aVanishedWindowLeavesNoStaleTotalPastItsMinute() throws {
        let harness = try LimiterHarness(plan: Self.plan)
        for index in 0..<9 {
            _ = try harness.check(at: Self.start + .seconds(Int64(index)))
        }
        #expect(try harness.client.command(["DEL", LimiterScript.keys(tenantID: harness.tenantID)[1]]) == .integer(1))
        let early = try harness.check(at: Self.start + .seconds(10))
        #expect(early.reason == .ok)
        #expect(early.rateRemaining == 0)
        #expect(try harness.check(at: Self.start + .seconds(11)).reason == .rateExceeded)

        // The admission at start + 10 s is the only member left once start's is due to leave.
        let later = try harness.check(at: Self.start + .seconds(60))
        #expect(later.reason == .ok)
        #expect(later.rateRemaining == 8)
        #expect(later.rateResetMs == 10_000)
    }

    /// More admissions leave at once than the script's first read of the window holds.
    @Test func countsEveryAdmissionThatLeftAfterABurst() throws {
        let harness = try LimiterHarness(
            plan: Plan(burstRPS: 1000, sustainedRPM: 100, monthlyQuota: 1_000_000, enforcement: .hard))
        let window = LimiterScript.keys(tenantID: harness.tenantID)[1]
        for _ in 0..<20 {
            _ = try harness.check(at: Self.start)
        }
        for _ in 0..<5 {
            _ = try harness.check(cost: 2, at: Self.start + .seconds(30))
        }
        let outcome = try harness.check(at: Self.start + .seconds(61))
        #expect(outcome.reason == .ok)
        #expect(outcome.rateRemaining == 100 - 10 - 1)
        // The oldest still in is from start + 30 s: it leaves 29 s from now.
        #expect(outcome.rateResetMs == 29_000)
        #expect(try harness.client.command(["ZCARD", window]) == .integer(6))
    }
}
