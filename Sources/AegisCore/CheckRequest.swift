/// One question from a proxy: may this request pass?
public struct CheckRequest: Sendable, Equatable {
    public enum Kind: String, Sendable, Equatable {
        case check
        case health
    }

    public var kind: Kind
    /// The request's `id` exactly as it appeared on the wire (a JSON string or number token),
    /// echoed verbatim in the reply; `nil` when absent.
    public var rawID: [UInt8]?
    /// The credential, taken from `api_key`, else the `x-api-key` header, else `authorization: Bearer`.
    public var apiKey: String?
    public var method: String?
    public var path: String?
    public var host: String?
    public var clientIP: String?
    /// How many requests this check counts as against every limit; at least 1.
    public var cost: Int

    public init(
        kind: Kind = .check, rawID: [UInt8]? = nil, apiKey: String? = nil, method: String? = nil,
        path: String? = nil, host: String? = nil, clientIP: String? = nil, cost: Int = 1
    ) {
        self.kind = kind
        self.rawID = rawID
        self.apiKey = apiKey
        self.method = method
        self.path = path
        self.host = host
        self.clientIP = clientIP
        self.cost = cost
    }
}
