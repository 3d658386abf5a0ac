import AegisCore
import Testing

@testable import AegisRedis

@Suite struct LimiterScriptTests {
    static let plan = Plan(burstRPS: 10, sustainedRPM: 600, monthlyQuota: 100_000, enforcement: .hard)

    @Test func loadsTheBundledScript() throws {
        try LimiterScript.validate()
        #expect(LimiterScript.source.hasPrefix("#!lua"))
        #expect(LimiterScript.sha1.utf8.count == 40)
        #expect(LimiterScript.sha1Hex("") == "da39a3ee5e6b4b0d3255bfef95601890afd80709")
        #expect(LimiterScript.sha1Hex("abc") == "a9993e364706816aba3e25717850c26c9cd0d89d")
    }

    @Test func hashMatchesWhatRedisComputes() throws {
        let client = try TestRedis.client()
        #expect(try client.command(["SCRIPT", "LOAD", LimiterScript.source]) == .bulk(LimiterScript.sha1))
    }

    @Test func keysShareTheTenantHashTag() {
        #expect(LimiterScript.keys(tenantID: "t-1") == ["{t-1}:s", "{t-1}:w"])
    }

    @Test func encodesAnEvalshaInvocation() {
        var buffer: [UInt8] = []
        LimiterScript.appendInvocation(
            tenantID: "é1", plan: Self.plan, cost: 2, seed: nil, nowMicros: 1_700_000_000_000_000, useEval: false,
            to: &buffer)
        let expected =
            "*12\r\n$7\r\nEVALSHA\r\n$40\r\n\(LimiterScript.sha1)\r\n$1\r\n2\r\n"
            + "$7\r\n{é1}:s\r\n$7\r\n{é1}:w\r\n"
            + "$2\r\n10\r\n$3\r\n600\r\n$6\r\n100000\r\n$4\r\nhard\r\n$1\r\n2\r\n$0\r\n\r\n$16\r\n1700000000000000\r\n"
        #expect(String(decoding: buffer, as: UTF8.self) == expected)
    }

    @Test func encodesAnEvalInvocationWithTheSourceAndClampsThePlan() throws {
        var buffer: [UInt8] = []
        let unlimited = Plan(burstRPS: -3, sustainedRPM: 60, monthlyQuota: .max, enforcement: .soft)
        LimiterScript.appendInvocation(
            tenantID: "t", plan: unlimited, cost: 1, seed: 42, nowMicros: nil, useEval: true, to: &buffer)
        let reader = try RedisReplyReader()
        try reader.feed(buffer)
        let arguments = try #require(try reader.next())
        let source = LimiterScript.source
        #expect(
            arguments
                == .array([
                    .bulk("EVAL"), .bulk(source), .bulk("2"), .bulk("{t}:s"), .bulk("{t}:w"),
                    .bulk("0"), .bulk("60"), .bulk("9007199254740991"), .bulk("soft"), .bulk("1"), .bulk("42"),
                    .bulk(""),
                ]))
    }

    @Test func decodesADecision() throws {
        let reply = RedisReply.array([
            .bulk("rate_exceeded"), .integer(3), .integer(700), .integer(0), .integer(41_000), .integer(12),
            .integer(86_400_000), .integer(41_000), .integer(1_700_000_000_123), .integer(202_603),
        ])
        let expected = LimitOutcome(
            reason: .rateExceeded, burstRemaining: 3, burstResetMs: 700, rateRemaining: 0, rateResetMs: 41_000,
            quotaUsed: 12, quotaResetMs: 86_400_000, retryAfterMs: 41_000, nowMs: 1_700_000_000_123, month: 202_603)
        #expect(try LimiterScript.decode(reply) == .decided(expected))
        #expect(
            try LimiterScript.decode(.array([.bulk("seed"), .integer(202_612), .integer(1)]))
                == .needsSeed(month: 202_612))
    }

    @Test(arguments: [
        RedisReply.status("OK"), .null, .integer(1), .array([]), .array([.integer(1)]),
        .array([.bulk("fail_open")] + Array(repeating: RedisReply.integer(0), count: 9)),
        .array([.bulk("ok")] + Array(repeating: RedisReply.integer(0), count: 8)),
        .array([.bulk("ok")] + Array(repeating: RedisReply.integer(0), count: 8) + [.bulk("x")]),
        .array([.bulk("seed"), .bulk("x"), .integer(0)]),
    ])
    func rejectsRepliesOfTheWrongShape(reply: RedisReply) {
        let error = #expect(throws: RedisError.self) { try LimiterScript.decode(reply) }
        #expect(error?.code == .unexpectedReply)
    }

    @Test func errorRepliesBecomeServerErrors() {
        let error = #expect(throws: RedisError.self) {
            try LimiterScript.decode(.error("NOSCRIPT No matching script. Please use EVAL."))
        }
        #expect(error?.code == .server)
        #expect(RedisReply.error("NOSCRIPT No matching script.").isNoScript)
        #expect(!RedisReply.error("ERR other").isNoScript)
    }

    @Test func theScriptRejectsBadArguments() throws {
        let client = try TestRedis.client()
        let keys = LimiterScript.keys(tenantID: TestRedis.unique("tenant"))
        let source = LimiterScript.source
        let cases: [([String], String)] = [
            (["x", "60", "100", "hard", "1", "", ""], "burst_rps"),
            (["10", "-1", "100", "hard", "1", "", ""], "sustained_rpm"),
            (["10", "60", "1.5", "hard", "1", "", ""], "monthly_quota"),
            (["10", "60", "100", "maybe", "1", "", ""], "enforcement"),
            (["10", "60", "100", "hard", "0", "", ""], "cost"),
            (["10", "60", "100", "hard", "1", "-4", ""], "seed"),
            (["10", "60", "100", "hard", "1", "", "soon"], "now"),
            (["10", "60", "100", "hard", "1", "", "9007199254740992"], "now"),
        ]
        for (arguments, name) in cases {
            let reply = try client.command(["EVAL", source, "2"] + keys + arguments)
            guard case .error(let message) = reply else {
                Issue.record("\(arguments) was accepted: \(reply)")
                continue
            }
            #expect(message.hasPrefix("ERR aegis limiter: \(name)"), "\(message)")
        }
        #expect(try client.command(["EXISTS"] + keys) == .integer(0))
    }

    /// A fresh server has no cached scripts: EVALSHA answers NOSCRIPT, EVAL runs and caches the
    /// script, and EVALSHA works from then on.
    @Test func reloadsAfterNoScript() throws {
        let server = try PrivateRedisServer()
        defer { server.stop() }
        let client = try RedisClient(url: server.url())
        var encoded: [UInt8] = []
        LimiterScript.appendInvocation(
            tenantID: "t", plan: Self.plan, cost: 1, seed: 0, nowMicros: nil, useEval: false, to: &encoded)
        let first = try client.send(encoded: encoded, replyCount: 1)[0]
        #expect(first.isNoScript)
        #expect(try client.command(["EXISTS"] + LimiterScript.keys(tenantID: "t")) == .integer(0))

        var reload: [UInt8] = []
        LimiterScript.appendInvocation(
            tenantID: "t", plan: Self.plan, cost: 1, seed: 0, nowMicros: nil, useEval: true, to: &reload)
        guard case .decided(let outcome) = try LimiterScript.decode(client.send(encoded: reload, replyCount: 1)[0])
        else {
            Issue.record("EVAL did not decide")
            return
        }
        #expect(outcome.reason == .ok && outcome.quotaUsed == 1)

        guard case .decided(let again) = try LimiterScript.decode(client.send(encoded: encoded, replyCount: 1)[0])
        else {
            Issue.record("EVALSHA did not decide after EVAL")
            return
        }
        #expect(again.quotaUsed == 2)

        #expect(try client.command(["SCRIPT", "FLUSH"]) == .status("OK"))
        #expect(try client.send(encoded: encoded, replyCount: 1)[0].isNoScript)
    }

    /// Without an injected clock the script reads Redis TIME.
    @Test func usesTheRedisClock() throws {
        let harness = try LimiterHarness(plan: Self.plan)
        guard case .array(let time) = try harness.client.command(["TIME"]),
            let seconds = time.first?.int64, let micros = time.last?.int64
        else {
            Issue.record("TIME did not answer an array")
            return
        }
        let redisMs = seconds * 1000 + micros / 1000
        let outcome = try harness.check(at: nil)
        #expect(outcome.reason == .ok)
        #expect(outcome.nowMs >= redisMs && outcome.nowMs < redisMs + 2000)
    }
}
