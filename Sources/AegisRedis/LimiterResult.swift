import AegisCore

/// What the limiter script answered for one check.
public enum LimiterResult: Sendable, Equatable {
    /// Allowed or denied, with the state every rate-limit header is built from.
    case decided(LimitOutcome)
    /// Redis has no quota counter for `month` (`year * 100 + month`, UTC) and no seed was sent.
    /// Nothing was changed; read the tenant's `monthly_usage` for that month and call again with
    /// it as the seed.
    case needsSeed(month: Int)
}

extension LimiterScript {
    /// Decodes the script's reply.
    /// - Throws: ``RedisError/Code/server`` for an error reply (including `NOSCRIPT`, which
    ///   callers should catch first with ``RedisReply/isNoScript`` and answer with `useEval`),
    ///   ``RedisError/Code/unexpectedReply`` for a reply of the wrong shape.
    public static func decode(_ reply: RedisReply) throws(RedisError) -> LimiterResult {
        let fields: [RedisReply]
        switch reply {
        case .array(let elements):
            fields = elements
        case .error(let message):
            throw RedisError(.server, "limiter script failed: \(message)")
        default:
            throw RedisError(.unexpectedReply, "limiter script answered without an array")
        }
        guard let tag = fields.first?.string else {
            throw RedisError(.unexpectedReply, "limiter reply does not start with a reason")
        }
        if tag == "seed" {
            guard fields.count == 3, let month = fields[1].int64, let month = Int(exactly: month) else {
                throw RedisError(.unexpectedReply, "limiter seed request is malformed")
            }
            return .needsSeed(month: month)
        }
        guard let reason = Reason(rawValue: tag), Self.scriptReasons.contains(reason) else {
            throw RedisError(.unexpectedReply, "limiter reply has an unknown reason")
        }
        guard fields.count == 10 else {
            throw RedisError(.unexpectedReply, "limiter reply has \(fields.count) fields instead of 10")
        }
        func number(_ index: Int) throws(RedisError) -> Int64 {
            guard case .integer(let value) = fields[index] else {
                throw RedisError(.unexpectedReply, "limiter reply field \(index) is not an integer")
            }
            return value
        }
        return .decided(
            LimitOutcome(
                reason: reason, burstRemaining: Int(clamping: try number(1)), burstResetMs: try number(2),
                rateRemaining: Int(clamping: try number(3)), rateResetMs: try number(4), quotaUsed: try number(5),
                quotaResetMs: try number(6), retryAfterMs: try number(7), nowMs: try number(8),
                month: Int(clamping: try number(9))))
    }

    private static let scriptReasons: Set<Reason> = [
        .ok, .quotaOverage, .burstExceeded, .rateExceeded, .quotaExceeded,
    ]
}
