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
        var numbers: [Int64] = []
        for field in fields.dropFirst() {
            guard case .integer(let value) = field else {
                throw RedisError(.unexpectedReply, "limiter reply has a field that is not an integer")
            }
            numbers.append(value)
        }
        return .decided(
            LimitOutcome(
                reason: reason, burstRemaining: Int(clamping: numbers[0]), burstResetMs: numbers[1],
                rateRemaining: Int(clamping: numbers[2]), rateResetMs: numbers[3], quotaUsed: numbers[4],
                quotaResetMs: numbers[5], retryAfterMs: numbers[6], nowMs: numbers[7],
                month: Int(clamping: numbers[8])))
    }

    private static let scriptReasons: Set<Reason> = [
        .ok, .quotaOverage, .burstExceeded, .rateExceeded, .quotaExceeded,
    ]
}
