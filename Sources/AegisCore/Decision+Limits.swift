extension Decision {
    /// The decision for a check the limiter script has answered.
    ///
    /// Every such reply carries the limit headers: `RateLimit-Policy` and `RateLimit`
    /// (draft-ietf-httpapi-ratelimit-headers, one item per limit: `"burst"`, `"minute"`,
    /// `"month"`), and `X-RateLimit-Limit`, `-Remaining` and `-Reset` for the sustained per-minute
    /// limit, which most clients read. A 429 adds `Retry-After` and the seed's body naming the
    /// limit that was hit.
    ///
    /// - Parameters:
    ///   - outcome: The script's answer.
    ///   - plan: The plan the check was made against.
    ///   - cost: The check's cost, for the body's `current` (the count had it been admitted).
    ///   - tenantID: The key's tenant.
    public static func limited(_ outcome: LimitOutcome, plan: Plan, cost: Int, tenantID: String) -> Decision {
        let burstReset = wholeSeconds(outcome.burstResetMs)
        let rateReset = wholeSeconds(outcome.rateResetMs)
        let quotaReset = wholeSeconds(outcome.quotaResetMs)
        let quotaLeft = max(0, saturating(plan.monthlyQuota, minus: outcome.quotaUsed))
        let rateRemaining = max(0, outcome.rateRemaining)
        let limits = LimitHeaders(
            burstLimit: Int64(plan.burstRPS), minuteLimit: Int64(plan.sustainedRPM), monthLimit: plan.monthlyQuota,
            monthWindow: Int64(monthSeconds(outcome)), burstRemaining: Int64(max(0, outcome.burstRemaining)),
            burstReset: burstReset, minuteRemaining: Int64(rateRemaining), minuteReset: rateReset,
            monthRemaining: quotaLeft, monthReset: quotaReset)

        let body: DenyBody?
        let hitReset: Int64
        switch outcome.reason {
        case .burstExceeded:
            hitReset = burstReset
            body = .limitExceeded(
                limit: Int64(plan.burstRPS), window: "1s",
                current: current(used: saturating(Int64(plan.burstRPS), minus: Int64(outcome.burstRemaining)), cost))
        case .rateExceeded:
            hitReset = rateReset
            body = .limitExceeded(
                limit: Int64(plan.sustainedRPM), window: "60s",
                current: current(used: saturating(Int64(plan.sustainedRPM), minus: Int64(outcome.rateRemaining)), cost))
        case .quotaExceeded:
            hitReset = quotaReset
            body = .limitExceeded(
                limit: plan.monthlyQuota, window: "month", current: current(used: outcome.quotaUsed, cost))
        default:
            return outcome.reason.allows
                ? Decision(reason: outcome.reason, tenantID: tenantID, limits: limits)
                : .denied(outcome.reason, tenantID: tenantID)
        }
        // RFC 9110 delay-seconds are whole; rounding up never invites a retry that must fail, and
        // the ratelimit draft forbids pointing earlier than the exhausted limit's `t`.
        let retryAfter = max(1, wholeSeconds(outcome.retryAfterMs), hitReset)
        return Decision(
            reason: outcome.reason, tenantID: tenantID, limits: limits, retryAfter: retryAfter, body: body)
    }

    /// A denial decided before or without the limiter: `missing_key`, `invalid_key`,
    /// `tenant_suspended`, `bad_request` or `unavailable`.
    ///
    /// The body is `{"error": message}`, by default "Missing API key", "Invalid API key", "Tenant
    /// suspended", "Bad request" or "Service unavailable". `unavailable` carries `Retry-After: 1`.
    /// Given a reason that allows, the decision allows and has no body.
    public static func denied(_ reason: Reason, tenantID: String? = nil, message: String? = nil) -> Decision {
        guard !reason.allows else { return Decision(reason: reason, tenantID: tenantID) }
        return Decision(
            reason: reason, tenantID: tenantID, retryAfter: reason == .unavailable ? 1 : nil,
            body: .error(message ?? defaultMessage(for: reason)))
    }

    /// The decision when the limiter cannot be reached and the daemon is configured to fail open:
    /// the request passes, marked `fail_open`, without limit headers since no limit was checked.
    public static func failOpen(tenantID: String) -> Decision {
        Decision(reason: .failOpen, tenantID: tenantID)
    }

    /// The `error` text of a deny body for `reason` when no more specific message is given.
    static func defaultMessage(for reason: Reason) -> String {
        switch reason {
        case .missingKey: "Missing API key"
        case .invalidKey: "Invalid API key"
        case .tenantSuspended: "Tenant suspended"
        case .badRequest: "Bad request"
        case .unavailable: "Service unavailable"
        case .burstExceeded, .rateExceeded, .quotaExceeded: "Rate limit exceeded"
        case .ok, .quotaOverage, .failOpen: "OK"
        }
    }

    /// The count a denied check would have reached: what is used plus its cost.
    private static func current(used: Int64, _ cost: Int) -> Int64 {
        let (sum, overflow) = used.addingReportingOverflow(Int64(cost))
        return overflow ? .max : sum
    }

    /// `value - subtrahend`, pinned to Int64's range; limits come from configuration, so extreme
    /// values must give odd headers rather than a trap.
    private static func saturating(_ value: Int64, minus subtrahend: Int64) -> Int64 {
        let (difference, overflow) = value.subtractingReportingOverflow(subtrahend)
        guard overflow else { return difference }
        return subtrahend < 0 ? .max : .min
    }

    /// Milliseconds as whole seconds, rounded up; negative values count as zero.
    static func wholeSeconds(_ milliseconds: Int64) -> Int64 {
        guard milliseconds > 0 else { return 0 }
        return milliseconds / 1000 + (milliseconds % 1000 == 0 ? 0 : 1)
    }

    /// The length of the outcome's UTC month in seconds: the quota policy's window.
    static func monthSeconds(_ outcome: LimitOutcome) -> Int {
        var year = outcome.month / 100
        var month = outcome.month % 100
        if !(1...12).contains(month) {
            // Not a valid `year * 100 + month`: take the month from the limiter's clock instead.
            (year, month) = civilMonth(daysSinceEpoch: Int(outcome.nowMs.quotientFloor(86_400_000)))
        }
        let days: Int
        switch month {
        case 2: days = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: days = 30
        default: days = 31
        }
        return days * 86_400
    }

    /// The proleptic Gregorian year and month of a day count since 1970-01-01 (Howard Hinnant's
    /// `civil_from_days`).
    private static func civilMonth(daysSinceEpoch days: Int) -> (year: Int, month: Int) {
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month)
    }
}

extension Int64 {
    fileprivate func quotientFloor(_ divisor: Int64) -> Int64 {
        let quotient = self / divisor
        return self % divisor < 0 ? quotient - 1 : quotient
    }
}
