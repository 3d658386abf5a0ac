extension DenyBody {
    /// Appends the body's JSON, the seed's shapes:
    /// `{"error":"Rate limit exceeded","limit":1000,"window":"60s","current":1001}` or
    /// `{"error":"Invalid API key"}`.
    ///
    /// Shared by the socket protocol (as the reply's `body`) and the HTTP bridge (as the response
    /// body), so both show a denied client the same thing.
    public func appendBodyJSON(to out: inout [UInt8]) {
        switch self {
        case .limitExceeded(let limit, let window, let current):
            JSONWriter.appendRaw(#"{"error":"Rate limit exceeded","limit":"#, to: &out)
            JSONWriter.appendInteger(limit, to: &out)
            JSONWriter.appendRaw(#","window":"#, to: &out)
            JSONWriter.appendString(window, to: &out)
            JSONWriter.appendRaw(#","current":"#, to: &out)
            JSONWriter.appendInteger(current, to: &out)
            JSONWriter.appendRaw("}", to: &out)
        case .error(let message):
            JSONWriter.appendRaw(#"{"error":"#, to: &out)
            JSONWriter.appendString(message, to: &out)
            JSONWriter.appendRaw("}", to: &out)
        }
    }
}
