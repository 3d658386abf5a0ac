/// What the limiter script decided for one check, with the state every header is built from.
///
/// All times are in milliseconds on the limiter's clock (Redis `TIME`), so several daemons
/// sharing one Redis agree on them.
public struct LimitOutcome: Sendable, Equatable {
    /// `.ok`, `.quotaOverage`, `.burstExceeded`, `.rateExceeded` or `.quotaExceeded`.
    public var reason: Reason
    /// Whole tokens left in the burst bucket after this check.
    public var burstRemaining: Int
    /// Milliseconds until the bucket is full again.
    public var burstResetMs: Int64
    /// Requests the rolling minute still admits after this check.
    public var rateRemaining: Int
    /// Milliseconds until the oldest admission in the window leaves it (0 when the window is empty).
    public var rateResetMs: Int64
    /// Requests counted against this month's quota after this check.
    public var quotaUsed: Int64
    /// Milliseconds until the UTC month ends.
    public var quotaResetMs: Int64
    /// On a deny: milliseconds until a retry of the same cost can succeed; 0 otherwise.
    public var retryAfterMs: Int64
    /// The limiter's clock when it decided, in milliseconds since the Unix epoch.
    public var nowMs: Int64
    /// The UTC month the quota counter belongs to, as `year * 100 + month`.
    public var month: Int

    public init(
        reason: Reason, burstRemaining: Int, burstResetMs: Int64, rateRemaining: Int, rateResetMs: Int64,
        quotaUsed: Int64, quotaResetMs: Int64, retryAfterMs: Int64, nowMs: Int64, month: Int
    ) {
        self.reason = reason
        self.burstRemaining = burstRemaining
        self.burstResetMs = burstResetMs
        self.rateRemaining = rateRemaining
        self.rateResetMs = rateResetMs
        self.quotaUsed = quotaUsed
        self.quotaResetMs = quotaResetMs
        self.retryAfterMs = retryAfterMs
        self.nowMs = nowMs
        self.month = month
    }
}
