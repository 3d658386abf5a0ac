/// Writes protocol v1 replies as JSON (unframed; see `Framing`).
///
/// A check reply is
/// `{"id":7,"allow":false,"status":429,"reason":"rate_exceeded","tenant_id":"…","headers":{…},"body":{…}}`:
/// `id` only when the request had one, `body` only on a deny. A health reply is
/// `{"id":7,"message":"hoho","redis":"up","postgres":"down"}`.
public enum ReplyEncoder {
    /// Appends the reply to a check (or to a request that could not be decoded).
    /// - Parameters:
    ///   - decision: What to answer.
    ///   - rawID: The request's `id` token exactly as received (`CheckRequest.rawID` or
    ///     `RequestError.rawID`); it is copied verbatim, so it must be a JSON string or number.
    ///   - out: The connection's output buffer.
    public static func appendCheckReply(_ decision: Decision, rawID: [UInt8]?, to out: inout [UInt8]) {
        out.reserveCapacity(out.count + 160 + decision.headers.count * 96)
        JSONWriter.appendRaw("{", to: &out)
        appendID(rawID, to: &out)
        JSONWriter.appendRaw(#""allow":"#, to: &out)
        JSONWriter.appendBool(decision.allows, to: &out)
        JSONWriter.appendRaw(#","status":"#, to: &out)
        JSONWriter.appendInteger(decision.status, to: &out)
        JSONWriter.appendRaw(#","reason":"#, to: &out)
        JSONWriter.appendString(decision.reason.rawValue, to: &out)
        JSONWriter.appendRaw(#","tenant_id":"#, to: &out)
        if let tenantID = decision.tenantID {
            JSONWriter.appendString(tenantID, to: &out)
        } else {
            JSONWriter.appendRaw("null", to: &out)
        }

        JSONWriter.appendRaw(#","headers":{"#, to: &out)
        for (index, header) in decision.headers.enumerated() {
            if index > 0 { JSONWriter.appendRaw(",", to: &out) }
            JSONWriter.appendString(header.name, to: &out)
            JSONWriter.appendRaw(":", to: &out)
            JSONWriter.appendString(header.value, to: &out)
        }
        JSONWriter.appendRaw("}", to: &out)

        if !decision.allows {
            // Every deny has a body on the wire, even for a Decision built without one.
            JSONWriter.appendRaw(#","body":"#, to: &out)
            let body = decision.body ?? .error(Decision.defaultMessage(for: decision.reason))
            body.appendBodyJSON(to: &out)
        }
        JSONWriter.appendRaw("}", to: &out)
    }

    /// Appends the `bad_request` reply for a request that could not be decoded, echoing its `id`
    /// when it was readable.
    public static func appendErrorReply(_ error: RequestError, to out: inout [UInt8]) {
        appendCheckReply(.denied(.badRequest, message: error.message), rawID: error.rawID, to: &out)
    }

    /// Appends the `bad_request` reply sent just before closing a connection that broke framing.
    public static func appendErrorReply(_ error: FrameError, to out: inout [UInt8]) {
        appendCheckReply(.denied(.badRequest, message: error.message), rawID: nil, to: &out)
    }

    /// Appends the reply to a health request.
    /// - Parameters:
    ///   - rawID: The request's `id` token, as for `appendCheckReply`.
    ///   - redisUp: Whether the limiter's Redis connection is usable.
    ///   - postgresUp: Whether PostgreSQL answered recently.
    public static func appendHealthReply(rawID: [UInt8]?, redisUp: Bool, postgresUp: Bool, to out: inout [UInt8]) {
        JSONWriter.appendRaw("{", to: &out)
        appendID(rawID, to: &out)
        JSONWriter.appendRaw(#""message":"hoho","redis":"#, to: &out)
        JSONWriter.appendRaw(redisUp ? #""up""# : #""down""#, to: &out)
        JSONWriter.appendRaw(#","postgres":"#, to: &out)
        JSONWriter.appendRaw(postgresUp ? #""up""# : #""down""#, to: &out)
        JSONWriter.appendRaw("}", to: &out)
    }

    private static func appendID(_ rawID: [UInt8]?, to out: inout [UInt8]) {
        guard let rawID else { return }
        JSONWriter.appendRaw(#""id":"#, to: &out)
        out.append(contentsOf: rawID)
        JSONWriter.appendRaw(",", to: &out)
    }
}
