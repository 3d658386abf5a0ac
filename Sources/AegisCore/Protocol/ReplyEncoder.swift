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
        let tenantLength = decision.tenantID.map { JSONWriter.maxStringLength(utf8Count: $0.utf8.count) } ?? 4
        let limitsLength = decision.limits == nil ? 0 : LimitHeaders.maxJSONMembersLength
        out.appendWriting(maxCount: maxFixedLength + (rawID?.count ?? 0) + tenantLength + limitsLength) { writer in
            writer.write("{")
            if let rawID {
                writer.write(#""id":"#)
                writer.write(rawID)
                writer.write(",")
            }
            writer.write(verdict(decision.reason))
            writer.write(#","tenant_id":"#)
            if let tenantID = decision.tenantID {
                writer.writeJSONString(tenantID)
            } else {
                writer.write("null")
            }
            writer.write(#","headers":{"#)
            decision.limits?.writeJSONMembers(to: &writer)
            if let retryAfter = decision.retryAfter {
                if decision.limits != nil { writer.write(",") }
                writer.write(#""Retry-After":""#)
                writer.write(retryAfter)
                writer.write(#"""#)
            }
        }
        appendExtraHeaders(decision, to: &out)
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

    /// The most bytes `appendCheckReply` writes in one go besides the id, the tenant and the
    /// limit headers: the punctuation, the longest verdict and `Retry-After`.
    private static let maxFixedLength = 128 + ByteWriter.maxDecimalLength

    /// `"allow":…,"status":…,"reason":"…"` for each reason, written whole.
    private static func verdict(_ reason: Reason) -> StaticString {
        switch reason {
        case .ok: #""allow":true,"status":200,"reason":"ok""#
        case .quotaOverage: #""allow":true,"status":200,"reason":"quota_overage""#
        case .failOpen: #""allow":true,"status":200,"reason":"fail_open""#
        case .missingKey: #""allow":false,"status":401,"reason":"missing_key""#
        case .invalidKey: #""allow":false,"status":401,"reason":"invalid_key""#
        case .tenantSuspended: #""allow":false,"status":403,"reason":"tenant_suspended""#
        case .burstExceeded: #""allow":false,"status":429,"reason":"burst_exceeded""#
        case .rateExceeded: #""allow":false,"status":429,"reason":"rate_exceeded""#
        case .quotaExceeded: #""allow":false,"status":429,"reason":"quota_exceeded""#
        case .badRequest: #""allow":false,"status":400,"reason":"bad_request""#
        case .unavailable: #""allow":false,"status":503,"reason":"unavailable""#
        }
    }

    /// The headers beyond the limits and `Retry-After`, each after a comma unless it is the first.
    private static func appendExtraHeaders(_ decision: Decision, to out: inout [UInt8]) {
        var first = decision.limits == nil && decision.retryAfter == nil
        for header in decision.extraHeaders {
            if !first { JSONWriter.appendRaw(",", to: &out) }
            first = false
            JSONWriter.appendString(header.name, to: &out)
            JSONWriter.appendRaw(":", to: &out)
            JSONWriter.appendString(header.value, to: &out)
        }
    }

    private static func appendID(_ rawID: [UInt8]?, to out: inout [UInt8]) {
        guard let rawID else { return }
        JSONWriter.appendRaw(#""id":"#, to: &out)
        out.append(contentsOf: rawID)
        JSONWriter.appendRaw(",", to: &out)
    }
}
