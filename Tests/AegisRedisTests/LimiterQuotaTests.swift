import AegisCore
import Testing

@testable import AegisRedis

@Suite struct LimiterQuotaTests {
    static let start = utcMicros(2026, 3, 10, 12)

    static func plan(quota: Int64, _ enforcement: Enforcement) -> Plan {
        Plan(burstRPS: 1000, sustainedRPM: 100_000, monthlyQuota: quota, enforcement: enforcement)
    }

    @Test func hardQuotaAdmitsExactlyItsSizeThenDeniesUntilTheMonthEnds() throws {
        let harness = try LimiterHarness(plan: Self.plan(quota: 5, .hard))
        for used in 1...5 {
            let outcome = try harness.check(at: Self.start + Int64(used))
            #expect(outcome.reason == .ok)
            #expect(outcome.quotaUsed == Int64(used))
            #expect(outcome.month == 202_603)
        }
        let now = Self.start + 6
        let denied = try harness.check(at: now)
        let monthEnd = utcMicros(2026, 4, 1)
        #expect(denied.reason == .quotaExceeded)
        #expect(denied.quotaUsed == 5)
        #expect(denied.quotaResetMs == (monthEnd - now + 999) / 1000)
        #expect(denied.retryAfterMs == denied.quotaResetMs)

        #expect(try harness.check(at: monthEnd - 1).reason == .quotaExceeded)
        let nextMonth = try harness.check(at: monthEnd)
        #expect(nextMonth.reason == .ok)
        #expect(nextMonth.quotaUsed == 1)
        #expect(nextMonth.month == 202_604)
    }

    @Test func softQuotaAdmitsPastItsSizeAsOverage() throws {
        let harness = try LimiterHarness(plan: Self.plan(quota: 3, .soft))
        for _ in 0..<3 {
            #expect(try harness.check(at: Self.start).reason == .ok)
        }
        let over = try harness.check(cost: 2, at: Self.start)
        #expect(over.reason == .quotaOverage)
        #expect(over.quotaUsed == 5)
        #expect(over.retryAfterMs == 0)
        #expect(try harness.check(at: Self.start).quotaUsed == 6)
    }

    @Test func aCostThatWouldCrossAHardQuotaIsDeniedWhole() throws {
        let harness = try LimiterHarness(plan: Self.plan(quota: 10, .hard))
        #expect(try harness.check(cost: 8, at: Self.start).quotaUsed == 8)
        let denied = try harness.check(cost: 3, at: Self.start)
        #expect(denied.reason == .quotaExceeded)
        #expect(denied.quotaUsed == 8)
        #expect(try harness.check(cost: 2, at: Self.start).quotaUsed == 10)
    }

    @Test func asksForASeedWithoutChangingAnythingThenUsesIt() throws {
        let harness = try LimiterHarness(plan: Self.plan(quota: 100, .hard))
        #expect(try harness.call(at: Self.start, seed: nil) == .needsSeed(month: 202_603))
        #expect(try harness.client.command(["EXISTS"] + LimiterScript.keys(tenantID: harness.tenantID)) == .integer(0))

        let seeded = try harness.check(at: Self.start, seed: 42)
        #expect(seeded.reason == .ok)
        #expect(seeded.quotaUsed == 43)
        // A counter is there now: later seeds (a second daemon's late read) change nothing.
        #expect(try harness.check(at: Self.start, seed: 7).quotaUsed == 44)
        #expect(try harness.check(at: Self.start, seed: nil).quotaUsed == 45)
    }

    @Test func aSeedAtTheQuotaDeniesButIsKept() throws {
        let harness = try LimiterHarness(plan: Self.plan(quota: 100, .hard))
        let denied = try harness.check(at: Self.start, seed: 100)
        #expect(denied.reason == .quotaExceeded)
        #expect(denied.quotaUsed == 100)
        #expect(try harness.call(at: Self.start, seed: nil) != .needsSeed(month: 202_603))
    }

    @Test func rollsOverAtMidnightUTCOfTheFirst() throws {
        let harness = try LimiterHarness(plan: Self.plan(quota: 1000, .hard))
        let lastMoment = utcMicros(2026, 12, 31, 23, 59, 59, milliseconds: 999)
        #expect(try harness.check(cost: 7, at: lastMoment - .seconds(30)).quotaUsed == 7)
        let december = try harness.check(at: lastMoment)
        #expect(december.month == 202_612)
        #expect(december.quotaUsed == 8)
        #expect(december.quotaResetMs == 1)

        let newYear = lastMoment + .ms(1)
        #expect(try harness.call(at: newYear, seed: nil) == .needsSeed(month: 202_701))
        let january = try harness.check(at: newYear, seed: 0)
        #expect(january.month == 202_701)
        #expect(january.quotaUsed == 1)
        #expect(january.quotaResetMs == 31 * 86_400_000)
        // December's counter is gone with the old month; the short-term state stays.
        let stateKey = LimiterScript.keys(tenantID: harness.tenantID)[0]
        let fields = try harness.client.command(["HKEYS", stateKey]).arrayOfStrings ?? []
        #expect(Set(fields) == ["202701", "m", "t", "n", "s", "o", "c"])
    }

    static let months: [(now: Int64, month: Int, resetMs: Int64)] = [
        (utcMicros(2028, 2, 29, 23, 59, 59), 202_802, 1000),
        (utcMicros(2027, 2, 1), 202_702, 28 * 86_400_000),
        (utcMicros(2028, 2, 1), 202_802, 29 * 86_400_000),
        (utcMicros(2100, 2, 1), 210_002, 28 * 86_400_000),
        (utcMicros(2000, 2, 1), 200_002, 29 * 86_400_000),
        (utcMicros(1970, 1, 1), 197_001, 31 * 86_400_000),
        (utcMicros(2026, 4, 30, 12), 202_604, 12 * 3_600_000),
    ]

    @Test(arguments: months)
    func findsTheCalendarMonth(now: Int64, month: Int, resetMs: Int64) throws {
        let harness = try LimiterHarness(plan: Self.plan(quota: 10, .hard))
        let outcome = try harness.check(at: now)
        #expect(outcome.month == month)
        #expect(outcome.quotaResetMs == resetMs)
    }

    @Test func theStateHashLivesUntilTenDaysAfterTheMonth() throws {
        let harness = try LimiterHarness(plan: Self.plan(quota: 10, .hard))
        let now = utcMicros(2026, 3, 31, 12)
        _ = try harness.check(at: now)
        _ = try harness.check(at: now + .seconds(60))
        let stateKey = LimiterScript.keys(tenantID: harness.tenantID)[0]
        let ttl = try harness.client.command(["PTTL", stateKey]).int64 ?? 0
        // Set when the month's counter was seeded at `now`: half a day plus ten days.
        let expected: Int64 = (12 + 240) * 3_600_000
        #expect(ttl > expected - 60_000 && ttl <= expected)
    }
}
