/// Why a check was allowed or denied; the raw value is the protocol's `reason`.
public enum Reason: String, Sendable, Equatable, CaseIterable {
    case ok
    case quotaOverage = "quota_overage"
    case failOpen = "fail_open"
    case missingKey = "missing_key"
    case invalidKey = "invalid_key"
    case tenantSuspended = "tenant_suspended"
    case burstExceeded = "burst_exceeded"
    case rateExceeded = "rate_exceeded"
    case quotaExceeded = "quota_exceeded"
    case badRequest = "bad_request"
    case unavailable

    /// Whether the request may pass.
    public var allows: Bool {
        switch self {
        case .ok, .quotaOverage, .failOpen: true
        default: false
        }
    }

    /// The HTTP status the proxy should give the client.
    public var status: Int {
        switch self {
        case .ok, .quotaOverage, .failOpen: 200
        case .missingKey, .invalidKey: 401
        case .tenantSuspended: 403
        case .burstExceeded, .rateExceeded, .quotaExceeded: 429
        case .badRequest: 400
        case .unavailable: 503
        }
    }
}
