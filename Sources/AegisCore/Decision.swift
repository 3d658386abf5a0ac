/// The answer to one check, independent of the transport that carries it.
///
/// The socket protocol encodes it as a JSON reply; the HTTP bridge renders it in the shape each
/// proxy expects. Both start from the same value, so every transport gives the same verdict.
public struct Decision: Sendable, Equatable {
    public var reason: Reason
    /// The tenant the key belongs to; `nil` when the key is missing or unknown.
    public var tenantID: String?
    /// Rate-limit headers (and `Retry-After` on a 429), in the order they should be sent.
    public var headers: [Header]
    /// The JSON body a denied client should see; `nil` when allowed.
    public var body: DenyBody?

    public var allows: Bool { reason.allows }
    public var status: Int { reason.status }

    public init(reason: Reason, tenantID: String? = nil, headers: [Header] = [], body: DenyBody? = nil) {
        self.reason = reason
        self.tenantID = tenantID
        self.headers = headers
        self.body = body
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
