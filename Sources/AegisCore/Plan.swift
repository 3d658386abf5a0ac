/// How a plan treats requests past its monthly quota.
public enum Enforcement: String, Sendable, Equatable, CaseIterable {
    /// Deny with `quota_exceeded` once the quota is used up.
    case hard
    /// Keep admitting, with reason `quota_overage`.
    case soft
}

/// The limits a tenant's plan grants.
public struct Plan: Sendable, Equatable {
    /// Token-bucket capacity, refilled at this many tokens per second.
    public var burstRPS: Int
    /// Most requests any rolling 60-second interval may admit.
    public var sustainedRPM: Int
    /// Requests per UTC calendar month.
    public var monthlyQuota: Int64
    public var enforcement: Enforcement

    public init(burstRPS: Int, sustainedRPM: Int, monthlyQuota: Int64, enforcement: Enforcement) {
        self.burstRPS = burstRPS
        self.sustainedRPM = sustainedRPM
        self.monthlyQuota = monthlyQuota
        self.enforcement = enforcement
    }
}
