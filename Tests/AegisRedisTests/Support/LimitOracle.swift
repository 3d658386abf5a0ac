import AegisCore

/// Decides a check from the list of earlier admissions alone, by the definitions of the three
/// limits rather than by replaying the script's state, so it can judge the script.
struct LimitOracle {
    let plan: Plan
    private(set) var admitted: [(at: Int64, cost: Int)] = []
    private(set) var used: Int64 = 0

    init(plan: Plan) {
        self.plan = plan
    }

    /// A bucket of capacity B refilled at B per second, starting full, holds just before `now`
    /// min(B, B + B·(now − tᵢ) − (cost admitted since tᵢ)) over every earlier admission time tᵢ.
    /// In millionths of a token, refill is B millionths per microsecond.
    func burstFails(cost: Int, at now: Int64) -> Bool {
        let capacity = Int64(plan.burstRPS) * 1_000_000
        if Int64(cost) * 1_000_000 > capacity { return true }
        var since: Int64 = 0
        for admission in admitted.reversed() {
            since += Int64(admission.cost) * 1_000_000
            let level = capacity + Int64(plan.burstRPS) * (now - admission.at) - since
            if level < Int64(cost) * 1_000_000 { return true }
        }
        return false
    }

    /// Admissions less than 60 s before `now` count.
    func windowCost(at now: Int64) -> Int {
        admitted.lazy.filter { $0.at > now - 60_000_000 && $0.at <= now }.map(\.cost).reduce(0, +)
    }

    func rateFails(cost: Int, at now: Int64) -> Bool {
        windowCost(at: now) + cost > plan.sustainedRPM
    }

    func quotaFails(cost: Int) -> Bool {
        plan.enforcement == .hard && used + Int64(cost) > plan.monthlyQuota
    }

    /// The reason the script must give: the first failing limit, in order burst, rate, quota.
    func expectedReason(cost: Int, at now: Int64) -> Reason {
        if burstFails(cost: cost, at: now) { return .burstExceeded }
        if rateFails(cost: cost, at: now) { return .rateExceeded }
        if quotaFails(cost: cost) { return .quotaExceeded }
        return used + Int64(cost) > plan.monthlyQuota ? .quotaOverage : .ok
    }

    mutating func record(cost: Int, at now: Int64) {
        admitted.append((now, cost))
        used += Int64(cost)
    }
}
