import Foundation
import Testing

@testable import AegisCore

private func text(_ body: (inout [UInt8]) -> Void) -> String {
    var out: [UInt8] = []
    body(&out)
    return String(decoding: out, as: UTF8.self)
}

/// Parses with Foundation, an implementation independent of the encoder under test.
private func object(_ json: String) throws -> [String: Any] {
    try #require(JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
}

private let plan = Plan(burstRPS: 10, sustainedRPM: 600, monthlyQuota: 100_000, enforcement: .hard)

private func outcome(_ reason: Reason) -> LimitOutcome {
    LimitOutcome(
        reason: reason, burstRemaining: 0, burstResetMs: 100, rateRemaining: 0, rateResetMs: 1500,
        quotaUsed: 100_000, quotaResetMs: 86_400_000, retryAfterMs: 1500, nowMs: 1_764_763_200_000, month: 202512)
}

/// One decision per reason, as the daemon builds them.
let decisionForEveryReason: [Decision] = Reason.allCases.map { reason in
    switch reason {
    case .ok, .quotaOverage, .burstExceeded, .rateExceeded, .quotaExceeded:
        .limited(outcome(reason), plan: plan, cost: 1, tenantID: "0193a5a8-7a4e-7cc0-8000-000000000001")
    case .failOpen: .failOpen(tenantID: "t-1")
    case .tenantSuspended: .denied(.tenantSuspended, tenantID: "t-1")
    default: .denied(reason)
    }
}

@Test func encodesAnAllowedCheck() {
    let decision = Decision(reason: .ok, tenantID: "t-1", headers: [Header("X-RateLimit-Limit", "600")])
    #expect(
        text { ReplyEncoder.appendCheckReply(decision, rawID: Array("42".utf8), to: &$0) }
            == #"{"id":42,"allow":true,"status":200,"reason":"ok","tenant_id":"t-1","#
            + #""headers":{"X-RateLimit-Limit":"600"}}"#
    )
}

@Test func encodesADenial() {
    #expect(
        text { ReplyEncoder.appendCheckReply(.denied(.missingKey), rawID: nil, to: &$0) }
            == #"{"allow":false,"status":401,"reason":"missing_key","tenant_id":null,"headers":{},"#
            + #""body":{"error":"Missing API key"}}"#)
}

@Test func encodesARateLimitBody() {
    let decision = Decision(
        reason: .rateExceeded, tenantID: "t", body: .limitExceeded(limit: 1000, window: "60s", current: 1001))
    #expect(
        text { ReplyEncoder.appendCheckReply(decision, rawID: Array(#""a""#.utf8), to: &$0) }
            == #"{"id":"a","allow":false,"status":429,"reason":"rate_exceeded","tenant_id":"t","headers":{},"#
            + #""body":{"error":"Rate limit exceeded","limit":1000,"window":"60s","current":1001}}"#)
}

@Test(arguments: decisionForEveryReason)
func everyReasonEncodesConsistently(_ decision: Decision) throws {
    let reply = try object(text { ReplyEncoder.appendCheckReply(decision, rawID: Array("7".utf8), to: &$0) })
    #expect(reply["id"] as? Int == 7)
    #expect(reply["allow"] as? Bool == decision.reason.allows)
    #expect(reply["status"] as? Int == decision.reason.status)
    #expect(reply["reason"] as? String == decision.reason.rawValue)
    #expect((reply["tenant_id"] as? String) == decision.tenantID)
    let headers = try #require(reply["headers"] as? [String: String])
    #expect(headers.count == decision.headers.count)
    for header in decision.headers { #expect(headers[header.name] == header.value) }
    if decision.reason.allows {
        #expect(reply["body"] == nil)
    } else {
        let body = try #require(reply["body"] as? [String: Any])
        #expect(body["error"] is String)
    }
}

@Test(arguments: [
    "1", "-0", "1e3", "1.5E-7", #""""#, #""a\"b""#, #""é\u00e9😀\ud83d\ude00""#, "123456789012345678901234567890",
])
func echoesTheIDVerbatim(_ token: String) {
    let check = text { ReplyEncoder.appendCheckReply(.denied(.invalidKey), rawID: Array(token.utf8), to: &$0) }
    #expect(check.hasPrefix(#"{"id":"# + token + #","allow":false"#))
    let health = text {
        ReplyEncoder.appendHealthReply(rawID: Array(token.utf8), redisUp: true, postgresUp: false, to: &$0)
    }
    #expect(health == #"{"id":"# + token + #","message":"hoho","redis":"up","postgres":"down"}"#)
}

@Test func echoesIDsFromDecodedRequests() throws {
    for id in ["1e3", "-0", #""x\u0041""#, #""日本""#] {
        let request = try CheckRequestDecoder.decode(Array(#"{"id":\#(id)}"#.utf8)).get()
        let reply = text { ReplyEncoder.appendCheckReply(.denied(.missingKey), rawID: request.rawID, to: &$0) }
        #expect(reply.hasPrefix(#"{"id":\#(id),"#))
    }
}

@Test func encodesHealthReplies() {
    #expect(
        text { ReplyEncoder.appendHealthReply(rawID: nil, redisUp: false, postgresUp: true, to: &$0) }
            == #"{"message":"hoho","redis":"down","postgres":"up"}"#)
}

@Test func encodesErrorReplies() {
    let requestError = RequestError(message: #""cost" must be an integer from 1 to 1000000"#, rawID: Array("9".utf8))
    #expect(
        text { ReplyEncoder.appendErrorReply(requestError, to: &$0) }
            == #"{"id":9,"allow":false,"status":400,"reason":"bad_request","tenant_id":null,"headers":{},"#
            + #""body":{"error":"\"cost\" must be an integer from 1 to 1000000"}}"#)
    #expect(
        text { ReplyEncoder.appendErrorReply(FrameError.zeroLength, to: &$0) }
            == #"{"allow":false,"status":400,"reason":"bad_request","tenant_id":null,"headers":{},"#
            + #""body":{"error":"frame length is zero"}}"#)
}

@Test func escapesTenantsHeadersAndMessages() throws {
    let decision = Decision(
        reason: .invalidKey, tenantID: "t\"\n", headers: [Header("X-\"A\"", "v\u{1}\\")], body: .error("bad\tkey"))
    let reply = try object(text { ReplyEncoder.appendCheckReply(decision, rawID: nil, to: &$0) })
    #expect(reply["tenant_id"] as? String == "t\"\n")
    #expect((reply["headers"] as? [String: String])?["X-\"A\""] == "v\u{1}\\")
    #expect((reply["body"] as? [String: String])?["error"] == "bad\tkey")
}

@Test func givesEveryDenialABody() throws {
    let reply = try object(
        text { ReplyEncoder.appendCheckReply(Decision(reason: .quotaExceeded), rawID: nil, to: &$0) })
    #expect((reply["body"] as? [String: String])?["error"] == "Rate limit exceeded")
    let allowed = try object(
        text { ReplyEncoder.appendCheckReply(Decision(reason: .ok, body: .error("x")), rawID: nil, to: &$0) })
    #expect(allowed["body"] == nil)
}

@Test func appendsDenyBodies() {
    #expect(
        text { DenyBody.limitExceeded(limit: 100_000, window: "month", current: 100_003).appendBodyJSON(to: &$0) }
            == #"{"error":"Rate limit exceeded","limit":100000,"window":"month","current":100003}"#)
    #expect(
        text { DenyBody.error("Tenant \"x\" suspended").appendBodyJSON(to: &$0) }
            == #"{"error":"Tenant \"x\" suspended"}"#)
}
