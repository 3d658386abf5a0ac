import AegisTestSupport
import Testing

@testable import AegisCore

/// The socket reply and the HTTP response write the limit headers straight from their numbers.
/// These tests hold both to a slow reference: the header values built as strings by
/// interpolation, the reply by a byte-at-a-time JSON writer, for many random decisions.

/// The limit headers as the reference builds them: plain string interpolation.
private func referenceHeaders(_ outcome: LimitOutcome, _ plan: Plan) -> [Header] {
    let burstReset = Decision.wholeSeconds(outcome.burstResetMs)
    let rateReset = Decision.wholeSeconds(outcome.rateResetMs)
    let quotaReset = Decision.wholeSeconds(outcome.quotaResetMs)
    let (difference, overflow) = plan.monthlyQuota.subtractingReportingOverflow(outcome.quotaUsed)
    let quotaLeft = max(0, overflow ? (outcome.quotaUsed < 0 ? Int64.max : Int64.min) : difference)
    let rateRemaining = max(0, outcome.rateRemaining)
    let policy =
        #""burst";q=\#(plan.burstRPS);w=1, "minute";q=\#(plan.sustainedRPM);w=60, "#
        + #""month";q=\#(plan.monthlyQuota);w=\#(Decision.monthSeconds(outcome))"#
    let state =
        #""burst";r=\#(max(0, outcome.burstRemaining));t=\#(burstReset), "#
        + #""minute";r=\#(rateRemaining);t=\#(rateReset), "month";r=\#(quotaLeft);t=\#(quotaReset)"#
    return [
        Header("RateLimit-Policy", policy), Header("RateLimit", state),
        Header("X-RateLimit-Limit", "\(plan.sustainedRPM)"), Header("X-RateLimit-Remaining", "\(rateRemaining)"),
        Header("X-RateLimit-Reset", "\(rateReset)"),
    ]
}

/// A JSON string literal, one byte at a time.
private func referenceString(_ text: String) -> String {
    var out: [UInt8] = [UInt8(ascii: "\"")]
    for byte in text.utf8 {
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"): out += [UInt8(ascii: "\\"), byte]
        case 0x0A: out += Array(#"\n"#.utf8)
        case 0x0D: out += Array(#"\r"#.utf8)
        case 0x09: out += Array(#"\t"#.utf8)
        case 0x08: out += Array(#"\b"#.utf8)
        case 0x0C: out += Array(#"\f"#.utf8)
        case 0..<0x20:
            let hex = Array("0123456789abcdef".utf8)
            out += Array(#"\u00"#.utf8) + [hex[Int(byte >> 4)], hex[Int(byte & 0xF)]]
        default: out.append(byte)
        }
    }
    out.append(UInt8(ascii: "\""))
    return String(decoding: out, as: UTF8.self)
}

/// The check reply as the protocol describes it, from the decision's headers as `headers` lists them.
private func referenceReply(_ decision: Decision, headers: [Header], rawID: String?) -> String {
    var out = "{"
    if let rawID { out += #""id":\#(rawID),"# }
    out += #""allow":\#(decision.allows),"status":\#(decision.status),"reason":"\#(decision.reason.rawValue)","#
    out += #""tenant_id":\#(decision.tenantID.map(referenceString) ?? "null"),"headers":{"#
    out += headers.map { referenceString($0.name) + ":" + referenceString($0.value) }.joined(separator: ",")
    out += "}"
    if !decision.allows {
        switch decision.body ?? .error(Decision.defaultMessage(for: decision.reason)) {
        case .limitExceeded(let limit, let window, let current):
            out += #","body":{"error":"Rate limit exceeded","limit":\#(limit),"window":"#
            out += referenceString(window) + #","current":\#(current)}"#
        case .error(let message):
            out += #","body":{"error":\#(referenceString(message))}"#
        }
    }
    return out + "}"
}

private func number(_ random: inout SeededGenerator) -> Int64 {
    switch Int.random(in: 0..<6, using: &random) {
    case 0: [Int64.min, .max, 0, -1, 1, 999, 1000, 1001].randomElement(using: &random)!
    case 1: Int64.random(in: .min ... .max, using: &random)
    case 2: Int64.random(in: -1000...1000, using: &random)
    default: Int64.random(in: 0...10_000_000_000, using: &random)
    }
}

private func text(_ random: inout SeededGenerator) -> String {
    let pieces = ["0193a5a8-7a4e-7cc0-8000-00000000000", "t", "\"", "\\", "\n", "\u{1}", "\u{1F}", "é", "😀", " "]
    return (0..<Int.random(in: 0...4, using: &random)).map { _ in pieces.randomElement(using: &random)! }.joined()
}

private func randomOutcome(_ random: inout SeededGenerator) -> (LimitOutcome, Plan) {
    let reasons: [Reason] = [.ok, .quotaOverage, .burstExceeded, .rateExceeded, .quotaExceeded, .invalidKey]
    let outcome = LimitOutcome(
        reason: reasons.randomElement(using: &random)!, burstRemaining: Int(number(&random)),
        burstResetMs: number(&random), rateRemaining: Int(number(&random)), rateResetMs: number(&random),
        quotaUsed: number(&random), quotaResetMs: number(&random), retryAfterMs: number(&random),
        nowMs: number(&random), month: [202512, 202402, 202302, 0, 202513, -1].randomElement(using: &random)!)
    let plan = Plan(
        burstRPS: Int(number(&random)), sustainedRPM: Int(number(&random)), monthlyQuota: number(&random),
        enforcement: .hard)
    return (outcome, plan)
}

@Test func limitHeadersMatchTheReference() {
    var random = SeededGenerator(seed: 0xAE61_5001)
    for _ in 0..<2000 {
        let (outcome, plan) = randomOutcome(&random)
        let decision = Decision.limited(outcome, plan: plan, cost: 1, tenantID: "t")
        let expected = outcome.reason == .invalidKey ? [] : referenceHeaders(outcome, plan)
        #expect(Array(decision.headers.prefix(5)) == expected, "\(outcome) \(plan)")
    }
}

@Test func checkRepliesMatchTheReference() {
    var random = SeededGenerator(seed: 0xAE61_5002)
    let ids: [String?] = [nil, "7", "-0", "1.5E-7", #""req-1""#, #""é\u00e9😀""#, #""""#]
    for _ in 0..<2000 {
        let (outcome, plan) = randomOutcome(&random)
        let tenant = text(&random)
        let decision: Decision
        switch Int.random(in: 0..<6, using: &random) {
        case 0: decision = .denied(Reason.allCases.randomElement(using: &random)!, tenantID: tenant)
        case 1: decision = .denied(.badRequest, message: text(&random))
        case 2: decision = .failOpen(tenantID: tenant)
        case 3: decision = Decision(reason: .rateExceeded, tenantID: nil, headers: [Header(text(&random), "v")])
        default:
            let cost = Int.random(in: 1...1_000_000, using: &random)
            decision = .limited(outcome, plan: plan, cost: cost, tenantID: tenant)
        }
        let rawID = ids.randomElement(using: &random)!
        var out: [UInt8] = Array("before".utf8)
        ReplyEncoder.appendCheckReply(decision, rawID: rawID.map { Array($0.utf8) }, to: &out)
        let expected = "before" + referenceReply(decision, headers: decision.headers, rawID: rawID)
        #expect(String(decoding: out, as: UTF8.self) == expected)
    }
}

@Test func httpResponsesMatchTheHeadersListed() {
    var random = SeededGenerator(seed: 0xAE61_5003)
    for _ in 0..<1000 {
        let (outcome, plan) = randomOutcome(&random)
        let decision = Decision.limited(outcome, plan: plan, cost: 1, tenantID: text(&random))
        let listed = Decision(
            reason: decision.reason, tenantID: decision.tenantID, headers: decision.headers, body: decision.body)
        for route in BridgeRoute.allCases {
            var fast: [UInt8] = [1, 2]
            var slow: [UInt8] = [1, 2]
            HTTPResponseRenderer.appendDecision(decision, for: route, keepAlive: true, to: &fast)
            HTTPResponseRenderer.appendDecision(listed, for: route, keepAlive: true, to: &slow)
            #expect(fast == slow)
        }
    }
}

@Test func byteWriterWritesEveryDecimalExactly() {
    var random = SeededGenerator(seed: 0xAE61_5004)
    var values: [Int64] = [.min, .max, 0, -1, 9, 10, 99, 100, -10, -100]
    for exponent in 0..<19 {
        let power = (0..<exponent).reduce(Int64(1)) { product, _ in product * 10 }
        values += [power - 1, power, -power, -(power - 1)]
    }
    values += (0..<2000).map { _ in number(&random) }
    for value in values {
        var out: [UInt8] = [0x41]
        out.appendWriting(maxCount: ByteWriter.maxDecimalLength) { $0.write(value) }
        #expect(String(decoding: out.dropFirst(), as: UTF8.self) == String(value))
    }
}
