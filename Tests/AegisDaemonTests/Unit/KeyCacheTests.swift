import AegisCore
import AegisStore
import Testing

@testable import AegisDaemon

@Suite struct KeyCacheTests {
    private func digest(_ seed: UInt8) -> KeyDigest {
        let bytes = [UInt8](repeating: seed, count: 32)
        return bytes.withUnsafeBytes { KeyDigest($0) }
    }

    /// A key id as PostgreSQL prints one: the cache keeps ids as UUIDs.
    private func id(_ number: Int) -> String {
        let digits = String(number)
        return "00000000-0000-7000-8000-" + String(repeating: "0", count: 12 - digits.count) + digits
    }

    private func key(_ id: String, tenant: String = "t", plan: String = "p", active: Bool = true) -> KeyRecord {
        KeyRecord(
            keyID: id, tenantID: tenant, tenantActive: active, planID: plan,
            plan: Plan(burstRPS: 1, sustainedRPM: 1, monthlyQuota: 1, enforcement: .hard))
    }

    @Test func firstMissLoadsAndLaterMissesWait() {
        var cache = KeyCache<Int>(capacity: 100)
        #expect(cache.lookup(digest(1), now: 0, waiter: 1) == .pending(load: true))
        #expect(cache.lookup(digest(1), now: 0, waiter: 2) == .pending(load: false))
        #expect(cache.complete(digest(1), with: key(id(1)), now: 0).waiters == [1, 2])
        guard case .known(let known) = cache.lookup(digest(1), now: 0, waiter: 3) else {
            Issue.record("not cached")
            return
        }
        #expect(known.keyID.text == id(1) && known.tenantID == "t" && known.planID == "p")
    }

    @Test func keysOfOneTenantShareItsStateAndSeeItsChangesAtOnce() {
        var cache = KeyCache<Int>(capacity: 100)
        _ = cache.lookup(digest(1), now: 0, waiter: 0)
        let first = cache.complete(digest(1), with: key(id(1), tenant: "a"), now: 0).key
        _ = cache.lookup(digest(2), now: 0, waiter: 0)
        _ = cache.complete(digest(2), with: key(id(2), tenant: "a", plan: "q", active: false), now: 0)
        #expect(first?.tenantActive == false)
        #expect(first?.planID == "q")
    }

    @Test func unknownKeysAreRememberedForTheNegativeTTL() {
        var cache = KeyCache<Int>(capacity: 100, negativeTTLMs: 1_000)
        _ = cache.lookup(digest(2), now: 0, waiter: 1)
        _ = cache.complete(digest(2), with: nil, now: 0)
        #expect(cache.lookup(digest(2), now: 999, waiter: 2) == .unknown)
        #expect(cache.lookup(digest(2), now: 1_000, waiter: 3) == .pending(load: true))
    }

    @Test func aFailedLoadReleasesItsWaitersAndForgetsTheMiss() {
        var cache = KeyCache<Int>(capacity: 100)
        _ = cache.lookup(digest(3), now: 0, waiter: 7)
        #expect(cache.fail(digest(3)) == [7])
        #expect(cache.lookup(digest(3), now: 0, waiter: 8) == .pending(load: true))
    }

    @Test func changesSelectTheEntriesToReload() {
        var cache = KeyCache<Int>(capacity: 100)
        for (seed, cached) in [(1, key(id(1), tenant: "a", plan: "x")), (2, key(id(2), tenant: "b", plan: "x"))] {
            _ = cache.lookup(digest(UInt8(seed)), now: 0, waiter: 0)
            _ = cache.complete(digest(UInt8(seed)), with: cached, now: 0)
        }
        _ = cache.lookup(digest(9), now: 0, waiter: 0)
        _ = cache.complete(digest(9), with: nil, now: 0)

        #expect(cache.affected(by: .tenant("a")) == [digest(1)])
        #expect(Set(cache.affected(by: .plan("x"))) == [digest(1), digest(2)])
        #expect(cache.affected(by: .plan("y")).isEmpty)
        // A key change also forgets unknown keys: one of them may be the key just created.
        #expect(cache.affected(by: .key(id(2))) == [digest(2)])
        #expect(cache.lookup(digest(9), now: 0, waiter: 1) == .pending(load: true))
    }

    @Test func sizeStaysBounded() {
        var cache = KeyCache<Int>(capacity: 64)
        for seed in 0..<200 {
            var bytes = [UInt8](repeating: 0, count: 32)
            bytes[0] = UInt8(seed)
            let digest = bytes.withUnsafeBytes { KeyDigest($0) }
            _ = cache.lookup(digest, now: 0, waiter: seed)
            _ = cache.complete(digest, with: key(id(seed)), now: 0)
        }
        #expect(cache.count <= 64)
    }

    /// `api_keys.id` is a uuid column, so this cannot come from PostgreSQL; should it, the key is
    /// refused rather than spooled with an id the log table would reject.
    @Test func aKeyWhoseIDIsNoUUIDIsTreatedAsUnknown() {
        var cache = KeyCache<Int>(capacity: 100)
        _ = cache.lookup(digest(4), now: 0, waiter: 1)
        #expect(cache.complete(digest(4), with: key("k4"), now: 0).key == nil)
        #expect(cache.lookup(digest(4), now: 0, waiter: 2) == .unknown)
    }

    @Test func digestHexMatchesTheStoredHash() {
        let raw = "ak_example"
        let digest = Array(raw.utf8).withUnsafeBytes { KeyDigest(hashing: $0) }
        #expect(digest.hex == APIKey.hash(raw))
        #expect(digest.hex == "bd7f2112adfa9222f41c823e857eb80520b23ee2ee4bff1ce181126aaa2528c3")
    }
}

extension KeyCache.Lookup: Equatable where Waiter: Equatable {
    public static func == (lhs: Self, rhs: Self) -> Bool {
        switch (lhs, rhs) {
        case (.known(let a), .known(let b)): a.keyID == b.keyID && a.tenant === b.tenant
        case (.unknown, .unknown): true
        case (.pending(let a), .pending(let b)): a == b
        default: false
        }
    }
}
