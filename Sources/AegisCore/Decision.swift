/// The answer to one check, independent of the transport that carries it.
///
/// The socket protocol encodes it as a JSON reply; the HTTP bridge renders it in the shape each
/// proxy expects. Both start from the same value, so every transport gives the same verdict.
///
/// The headers are kept as the numbers they are made of (`limits`, `retryAfter`): each transport
/// writes them straight into its output, which on the check path is much cheaper than building
/// strings first.
public struct Decision: Sendable, Equatable {
    public var reason: Reason
    /// The tenant the key belongs to; `nil` when the key is missing or unknown.
    public var tenantID: String?
    /// The limit headers, sent first; `nil` when no limit was checked.
    public var limits: LimitHeaders?
    /// Whole seconds for `Retry-After`, sent after the limit headers; `nil` for none.
    public var retryAfter: Int64?
    /// Further headers, sent last in this order.
    public var extraHeaders: [Header]
    /// The JSON body a denied client should see; `nil` when allowed.
    public var body: DenyBody?

    public var allows: Bool { reason.allows }
    public var status: Int { reason.status }

    /// Every header, in the order they are sent.
    public var headers: [Header] {
        var headers = limits?.headers ?? []
        if let retryAfter { headers.append(Header("Retry-After", String(retryAfter))) }
        return headers + extraHeaders
    }

    public init(
        reason: Reason, tenantID: String? = nil, limits: LimitHeaders? = nil, retryAfter: Int64? = nil,
        body: DenyBody? = nil
    ) {
        self.reason = reason
        self.tenantID = tenantID
        self.limits = limits
        self.retryAfter = retryAfter
        self.extraHeaders = []
        self.body = body
    }

    /// A decision with arbitrary headers, sent in the order given.
    public init(reason: Reason, tenantID: String? = nil, headers: [Header], body: DenyBody? = nil) {
        self.init(reason: reason, tenantID: tenantID, body: body)
        self.extraHeaders = headers
    }
}

/// One HTTP header as a name and a value, kept in order.
public struct Header: Sendable, Equatable {
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// The body of a denial, in the seed's shapes.
public enum DenyBody: Sendable, Equatable {
    /// `{"error": "Rate limit exceeded", "limit": 1000, "window": "60s", "current": 1001}`;
    /// `window` is `"1s"` for burst, `"60s"` for the sustained rate and `"month"` for the quota.
    case limitExceeded(limit: Int64, window: String, current: Int64)
    /// `{"error": "..."}` for authentication failures, bad requests and unavailability.
    case error(String)
}
