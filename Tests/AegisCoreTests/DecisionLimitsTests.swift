import Testing

@testable import AegisCore

private let plan = Plan(burstRPS: 10, sustainedRPM: 600, monthlyQuota: 100_000, enforcement: .hard)
/// 2025-12-03T12:00:00Z.
private let now: Int64 = 1_764_763_200_000

private func outcome(
    _ reason: Reason = .ok, burstRemaining: Int = 9, burstResetMs: Int64 = 100, rateRemaining: Int = 598,
    rateResetMs: Int64 = 40_200, quotaUsed: Int64 = 1234, quotaResetMs: Int64 = 2_461_000_000,
    retryAfterMs: Int64 = 0, month: Int = 202512
) -> LimitOutcome {
    LimitOutcome(
        reason: reason, burstRemaining: burstRemaining, burstResetMs: burstResetMs, rateRemaining: rateRemaining,
        rateResetMs: rateResetMs, quotaUsed: quotaUsed, quotaResetMs: quotaResetMs, retryAfterMs: retryAfterMs,
        nowMs: now, month: month)
}

private func header(_ decision: Decision, _ name: String) -> String? {
    decision.headers.first { $0.name == name }?.value
}

@Test func allowedChecksCarryEveryLimitHeader() {
    let decision = Decision.limited(outcome(), plan: plan, cost: 1, tenantID: "t-1")
    #expect(decision.reason == .ok && decision.allows && decision.status == 200)
    #expect(decision.tenantID == "t-1")
    #expect(decision.body == nil)
    #expect(
        decision.headers == [
            Header("RateLimit-Policy", #""burst";q=10;w=1, "minute";q=600;w=60, "month";q=100000;w=2678400"#),
            Header("RateLimit", #""burst";r=9;t=1, "minute";r=598;t=41, "month";r=98766;t=2461000"#),
            Header("X-RateLimit-Limit", "600"),
            Header("X-RateLimit-Remaining", "598"),
            Header("X-RateLimit-Reset", "41"),
        ])
}

@Test(arguments: [
    (202512, 31), (202402, 29), (202302, 28), (200002, 29), (210002, 28), (202504, 30), (202506, 30),
    (202509, 30), (202511, 30), (202501, 31), (202507, 31), (202508, 31),
])
func monthWindowIsThatMonthsLength(_ month: Int, _ days: Int) {
    let decision = Decision.limited(outcome(month: month), plan: plan, cost: 1, tenantID: "t")
    #expect(header(decision, "RateLimit-Policy")?.hasSuffix(#""month";q=100000;w=\#(days * 86_400)"#) == true)
}

@Test func invalidMonthFallsBackToTheLimitersClock() {
    #expect(Decision.monthSeconds(outcome(month: 0)) == 31 * 86_400)
    #expect(Decision.monthSeconds(outcome(month: 202513)) == 31 * 86_400)
    var february = outcome(month: -1)
    february.nowMs = 951_782_400_000  // 2000-02-29T00:00:00Z
    #expect(Decision.monthSeconds(february) == 29 * 86_400)
    february.nowMs = -1  // 1969-12-31T23:59:59.999Z
    #expect(Decision.monthSeconds(february) == 31 * 86_400)
}

@Test(arguments: [
    (Int64(0), Int64(0)), (1, 1), (999, 1), (1000, 1), (1001, 2), (59_999, 60), (-5, 0), (.max, 9_223_372_036_854_776),
])
func resetSecondsRoundUp(_ milliseconds: Int64, _ seconds: Int64) {
    #expect(Decision.wholeSeconds(milliseconds) == seconds)
}

@Test func burstDenialNamesTheBucket() {
    let decision = Decision.limited(
        outcome(.burstExceeded, burstRemaining: 0, burstResetMs: 800, retryAfterMs: 100), plan: plan, cost: 1,
        tenantID: "t")
    #expect(!decision.allows && decision.status == 429)
    #expect(decision.body == .limitExceeded(limit: 10, window: "1s", current: 11))
    #expect(header(decision, "Retry-After") == "1")
    #expect(decision.headers.last?.name == "Retry-After")
}

@Test func rateDenialCountsTheCost() {
    let decision = Decision.limited(
        outcome(.rateExceeded, rateRemaining: 2, rateResetMs: 2500, retryAfterMs: 12_001), plan: plan, cost: 5,
        tenantID: "t")
    #expect(decision.body == .limitExceeded(limit: 600, window: "60s", current: 603))
    #expect(header(decision, "Retry-After") == "13")
    #expect(header(decision, "X-RateLimit-Remaining") == "2")
    #expect(header(decision, "X-RateLimit-Reset") == "3")
}

@Test(arguments: [
    (Reason.rateExceeded, Int64(0), "41"), (.rateExceeded, 500, "41"), (.rateExceeded, 41_000, "41"),
    (.rateExceeded, 41_001, "42"), (.burstExceeded, 0, "1"), (.burstExceeded, 1, "1"), (.burstExceeded, 2001, "3"),
    (.quotaExceeded, 10, "2461000"), (.quotaExceeded, -1, "2461000"),
])
func retryAfterIsWholeSecondsAndNeverBeforeTheLimitsReset(_ reason: Reason, _ retryAfterMs: Int64, _ expected: String) {
    let decision = Decision.limited(
        outcome(reason, burstRemaining: 0, rateRemaining: 0, retryAfterMs: retryAfterMs), plan: plan, cost: 1,
        tenantID: "t")
    #expect(header(decision, "Retry-After") == expected)
}

@Test func quotaDenialAndOverage() {
    let denied = Decision.limited(outcome(.quotaExceeded, quotaUsed: 100_000), plan: plan, cost: 3, tenantID: "t")
    #expect(denied.body == .limitExceeded(limit: 100_000, window: "month", current: 100_003))
    #expect(header(denied, "RateLimit")?.hasSuffix(#""month";r=0;t=2461000"#) == true)

    let overage = Decision.limited(outcome(.quotaOverage, quotaUsed: 100_050), plan: plan, cost: 1, tenantID: "t")
    #expect(overage.allows && overage.reason == .quotaOverage && overage.body == nil)
    #expect(header(overage, "Retry-After") == nil)
    #expect(header(overage, "RateLimit")?.hasSuffix(#""month";r=0;t=2461000"#) == true)
}

@Test func remainingNeverGoesNegative() {
    let decision = Decision.limited(
        outcome(burstRemaining: -3, rateRemaining: -1, rateResetMs: -20), plan: plan, cost: 1, tenantID: "t")
    #expect(header(decision, "RateLimit") == #""burst";r=0;t=1, "minute";r=0;t=0, "month";r=98766;t=2461000"#)
    #expect(header(decision, "X-RateLimit-Remaining") == "0")
}

@Test func limitedWithANonLimitDenialFallsBackToItsDefaultBody() {
    let decision = Decision.limited(outcome(.invalidKey), plan: plan, cost: 1, tenantID: "t")
    #expect(decision.body == .error("Invalid API key") && decision.headers.isEmpty)
}

@Test(arguments: [
    (Reason.missingKey, 401, "Missing API key"), (.invalidKey, 401, "Invalid API key"),
    (.tenantSuspended, 403, "Tenant suspended"), (.badRequest, 400, "Bad request"),
    (.unavailable, 503, "Service unavailable"),
])
func denialsHaveDefaultMessages(_ reason: Reason, _ status: Int, _ message: String) {
    let decision = Decision.denied(reason)
    #expect(!decision.allows && decision.status == status)
    #expect(decision.body == .error(message))
    #expect(decision.tenantID == nil)
    #expect(decision.headers == (reason == .unavailable ? [Header("Retry-After", "1")] : []))
}

@Test func denialsTakeATenantAndAMessage() {
    let decision = Decision.denied(.tenantSuspended, tenantID: "t-9", message: "Tenant t-9 is suspended")
    #expect(decision.tenantID == "t-9" && decision.body == .error("Tenant t-9 is suspended"))
    #expect(Decision.denied(.ok) == Decision(reason: .ok))
}

@Test func failOpenAllowsWithoutHeaders() {
    let decision = Decision.failOpen(tenantID: "t-2")
    #expect(decision == Decision(reason: .failOpen, tenantID: "t-2"))
    #expect(decision.allows && decision.status == 200)
}
