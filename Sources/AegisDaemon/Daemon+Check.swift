import AegisCore
import AegisRedis
import AegisStore

/// The check path: key → cache → limiter → decision → spool → reply.
extension Daemon {
    /// Starts a decoded request.
    func start(_ check: Check) {
        if check.request.kind == .health {
            answerHealth(check)
            return
        }
        guard var key = check.request.apiKey, !key.isEmpty else {
            finish(check, .denied(.missingKey))
            return
        }
        let digest = key.withUTF8 { KeyDigest(hashing: UnsafeRawBufferPointer($0)) }

        switch cache.lookup(digest, now: Clock.monotonicMs(), waiter: check) {
        case .known(let known):
            resolved(check, known)
        case .unknown:
            finish(check, .denied(.invalidKey))
        case .pending(let load):
            if load { workers.loadKeys([digest]) }
        }
    }

    /// The key is known: a suspended tenant stops here, anyone else goes to the limiter.
    func resolved(_ check: Check, _ key: CachedKey) {
        check.key = key
        guard key.tenantActive else {
            finish(check, .denied(.tenantSuspended, tenantID: key.tenantID))
            return
        }
        askLimiter(check)
    }

    func askLimiter(_ check: Check) {
        guard redis.isReady else {
            failOver(check)
            return
        }
        check.phase = .limiting
        redis.send(check, now: Clock.monotonicMs())
    }

    /// The limiter script answered (or the link failed) for `check`.
    func limiterAnswered(_ check: Check, _ result: Result<LimiterResult, Error>) {
        guard check.phase == .limiting, let key = check.key else { return }
        switch result {
        case .success(.decided(let outcome)):
            let decision = Decision.limited(outcome, plan: key.plan, cost: check.request.cost, tenantID: key.tenantID)
            finish(check, decision, outcome: outcome)
        case .success(.needsSeed(let month)):
            awaitSeed(check, tenantID: key.tenantID, month: month)
        case .failure(let error):
            log.debug("limiter call failed", ["tenant": key.tenantID, "error": String(describing: error)])
            failOver(check)
        }
    }

    /// Redis cannot answer: the fail mode decides. Authentication has already succeeded here.
    func failOver(_ check: Check) {
        guard let key = check.key else { return }
        switch configuration.failMode {
        case .open: finish(check, .failOpen(tenantID: key.tenantID))
        case .closed: finish(check, .denied(.unavailable, tenantID: key.tenantID))
        }
    }

    /// Redis has no quota counter for this month: fetch the last shipped one before counting.
    private func awaitSeed(_ check: Check, tenantID: String, month: Int) {
        guard check.seed == nil else {
            failOver(check)
            return
        }
        check.phase = .awaitingSeed
        let slot = "\(tenantID)/\(month)"
        seedWaiters[slot, default: []].append(check)
        if seedWaiters[slot]?.count == 1 {
            workers.loadSeed(tenantID: tenantID, month: month)
        }
    }

    func seedLoaded(tenantID: String, month: Int, value: Int64?) {
        let waiting = seedWaiters.removeValue(forKey: "\(tenantID)/\(month)") ?? []
        for check in waiting where check.phase == .awaitingSeed {
            if let value {
                check.seed = value
                askLimiter(check)
            } else {
                failOver(check)
            }
        }
    }

    /// Keys arrived from PostgreSQL (or could not be read).
    func keysLoaded(_ loaded: [(KeyDigest, KeyRecord?)], failed: [KeyDigest]) {
        let now = Clock.monotonicMs()
        for (digest, record) in loaded {
            let (key, waiters) = cache.complete(digest, with: record, now: now)
            for check in waiters {
                if let key { resolved(check, key) } else { finish(check, .denied(.invalidKey)) }
            }
        }
        for digest in failed {
            for check in cache.fail(digest) {
                finish(check, .denied(.unavailable))
            }
        }
    }

    func apply(_ changes: [ChangeNotice]) {
        var reload: [KeyDigest] = []
        for change in changes { reload += cache.affected(by: change) }
        if !reload.isEmpty { workers.loadKeys(reload) }
    }

    /// Records the decision and queues its reply.
    func finish(_ check: Check, _ decision: Decision, outcome: LimitOutcome? = nil) {
        guard check.phase != .answered else { return }
        check.phase = .answered
        record(check, decision, outcome: outcome)
        switch check.responder {
        case .socket(let mode):
            deliver(check) { out in
                let start = Framing.beginReply(&out, mode: mode)
                ReplyEncoder.appendCheckReply(decision, rawID: check.request.rawID, to: &out)
                Framing.endReply(&out, mode: mode, start: start)
            }
        case .http(let route, let keepAlive, let version, let headOnly):
            deliver(check) { out in
                HTTPResponseRenderer.appendDecision(
                    decision, for: route, keepAlive: keepAlive, version: version, headOnly: headOnly, to: &out)
            }
        }
    }

    private func answerHealth(_ check: Check) {
        check.phase = .answered
        let redisUp = redis.isReady
        let postgresUp = postgresUp
        switch check.responder {
        case .socket(let mode):
            deliver(check) { out in
                let start = Framing.beginReply(&out, mode: mode)
                ReplyEncoder.appendHealthReply(
                    rawID: check.request.rawID, redisUp: redisUp, postgresUp: postgresUp, to: &out)
                Framing.endReply(&out, mode: mode, start: start)
            }
        case .http(_, let keepAlive, let version, _):
            deliver(check) { out in
                HTTPResponseRenderer.appendHealth(
                    redisUp: redisUp, postgresUp: postgresUp, keepAlive: keepAlive, version: version, to: &out)
            }
        }
    }

    /// Appends the decision to the spool; the shipper takes it to `request_logs` and `monthly_usage`.
    private func record(_ check: Check, _ decision: Decision, outcome: LimitOutcome?) {
        let now = Clock.wallMs()
        let id = decisionIDs.next(wallMs: now)
        let request = check.request
        spool.appendLine { out in
            LogRecord.appendCopyLine(
                id: id, at: now, tenantID: decision.tenantID, keyID: check.key?.keyID, reason: decision.reason,
                status: decision.status, method: request.method, path: request.path, clientIP: request.clientIP,
                cost: request.cost, quotaMonth: outcome?.month, quotaUsed: outcome?.quotaUsed, to: &out)
        }
    }
}
