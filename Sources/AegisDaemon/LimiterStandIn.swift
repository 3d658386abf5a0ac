import AegisCore
import AegisRedis

// Stand-in until AegisRedis provides the limiter script wrapper; removed when it lands.
enum LimiterResult {
    case decided(LimitOutcome)
    case needsSeed(month: Int)
}

enum LimiterScript {
    static func appendInvocation(
        tenantID: String, plan: Plan, cost: Int, seed: Int64?, nowMicros: Int64?, useEval: Bool, to out: inout [UInt8]
    ) {
        RESPWriter.appendCommand(["PING"], to: &out)
    }

    static func decode(_ reply: RedisReply) throws -> LimiterResult {
        throw RedisError(.unexpectedReply, "no limiter yet")
    }
}
