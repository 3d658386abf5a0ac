import AegisCore
import AegisStore

/// A SHA-256 digest of an API key, held as four words so cache look-ups hash and compare cheaply.
struct KeyDigest: Hashable, Sendable {
    var words: (UInt64, UInt64, UInt64, UInt64)

    /// The digest of a raw key as it came off the wire.
    init(hashing key: UnsafeRawBufferPointer) {
        words = (0, 0, 0, 0)
        withUnsafeMutableBytes(of: &words) { APIKey.sha256(key, into: $0) }
    }

    init(_ bytes: UnsafeRawBufferPointer) {
        precondition(bytes.count == 32)
        words = (
            bytes.loadUnaligned(fromByteOffset: 0, as: UInt64.self),
            bytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self),
            bytes.loadUnaligned(fromByteOffset: 16, as: UInt64.self),
            bytes.loadUnaligned(fromByteOffset: 24, as: UInt64.self)
        )
    }

    /// Lower-case hex, the form stored in `api_keys.key_hash`.
    var hex: String {
        withUnsafeBytes(of: words) { APIKey.hex(Array($0)) }
    }

    static func == (lhs: KeyDigest, rhs: KeyDigest) -> Bool {
        lhs.words.0 == rhs.words.0 && lhs.words.1 == rhs.words.1 && lhs.words.2 == rhs.words.2
            && lhs.words.3 == rhs.words.3
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(words.0)
    }
}

/// What every key of one tenant shares; one instance per tenant, updated in place by each load,
/// so 100,000 keys of a few tenants hold a few copies of the tenant and plan, not 100,000.
final class TenantState {
    let id: String
    private(set) var active: Bool
    private(set) var planID: String
    private(set) var plan: Plan

    init(_ record: KeyRecord) {
        id = record.tenantID
        active = record.tenantActive
        planID = record.planID
        plan = record.plan
    }

    func update(from record: KeyRecord) {
        active = record.tenantActive
        planID = record.planID
        plan = record.plan
    }
}

/// What the daemon needs to know about a valid key. Kept small: the cache holds one per key.
struct CachedKey {
    var keyID: UUIDValue
    var tenant: TenantState

    var tenantID: String { tenant.id }
    var tenantActive: Bool { tenant.active }
    var planID: String { tenant.planID }
    var plan: Plan { tenant.plan }
}

/// In-process map from key digest to key, tenant and plan, so a warm check never asks PostgreSQL.
///
/// Entries stay until a change notice names their key, tenant or plan (they are then reloaded in
/// place, and the old value serves meanwhile), so cached keys keep working while PostgreSQL is
/// down. Unknown keys are remembered for `negativeTTL` to keep a flood of bad keys off PostgreSQL.
/// Past `capacity` entries an arbitrary eighth is dropped: a plain bound, not an LRU.
struct KeyCache<Waiter> {
    enum Lookup {
        case known(CachedKey)
        case unknown
        /// Not cached: the caller waits; `load` is true for the first waiter, who must start the load.
        case pending(load: Bool)
    }

    private enum Entry {
        case known(CachedKey)
        case unknown(expiresAt: Int64)
        case loading([Waiter])
    }

    private var entries: [KeyDigest: Entry] = [:]
    private var tenants: [String: TenantState] = [:]
    let capacity: Int
    let negativeTTL: Int64

    init(capacity: Int, negativeTTLMs: Int64 = 10_000) {
        self.capacity = max(capacity, 16)
        negativeTTL = negativeTTLMs
    }

    var count: Int { entries.count }

    /// Finds `digest`; on a miss records `waiter` to be resumed when the load finishes.
    mutating func lookup(_ digest: KeyDigest, now: Int64, waiter: Waiter) -> Lookup {
        switch entries[digest] {
        case .known(let key):
            return .known(key)
        case .unknown(let expiresAt) where expiresAt > now:
            return .unknown
        case .loading(var waiters):
            entries[digest] = nil
            waiters.append(waiter)
            entries[digest] = .loading(waiters)
            return .pending(load: false)
        case .unknown, nil:
            evictIfFull()
            entries[digest] = .loading([waiter])
            return .pending(load: true)
        }
    }

    /// Stores a load's answer (`nil`: no such key, or revoked) and returns the key with the waiters
    /// to resume. The tenant's shared state takes the loaded status and plan for all its keys.
    mutating func complete(
        _ digest: KeyDigest, with record: KeyRecord?, now: Int64
    ) -> (key: CachedKey?, waiters: [Waiter]) {
        let previous = entries[digest]
        var key: CachedKey?
        if let record, let keyID = UUIDValue(record.keyID) {
            let tenant = tenants[record.tenantID] ?? TenantState(record)
            tenant.update(from: record)
            tenants[record.tenantID] = tenant
            key = CachedKey(keyID: keyID, tenant: tenant)
        }
        entries[digest] = key.map(Entry.known) ?? .unknown(expiresAt: now + negativeTTL)
        if case .loading(let waiters) = previous { return (key, waiters) }
        return (key, [])
    }

    /// A load failed (PostgreSQL unreachable): a key still known keeps serving, waiters get the news.
    mutating func fail(_ digest: KeyDigest) -> [Waiter] {
        guard case .loading(let waiters) = entries[digest] else { return [] }
        entries[digest] = nil
        return waiters
    }

    /// Digests of known keys affected by a change, to reload; unknown entries are dropped when a
    /// key changed, since a new key may be one that was looked up before it existed.
    mutating func affected(by change: ChangeNotice) -> [KeyDigest] {
        var digests: [KeyDigest] = []
        var stale: [KeyDigest] = []
        let matches = change.matcher()
        for (digest, entry) in entries {
            switch entry {
            case .known(let key):
                if matches(key) { digests.append(digest) }
            case .unknown:
                if case .key = change { stale.append(digest) }
            case .loading:
                break
            }
        }
        for digest in stale { entries[digest] = nil }
        return digests
    }

    private mutating func evictIfFull() {
        guard entries.count >= capacity else { return }
        var victims: [KeyDigest] = []
        victims.reserveCapacity(capacity / 8)
        for (digest, entry) in entries {
            if case .loading = entry { continue }
            victims.append(digest)
            if victims.count >= capacity / 8 { break }
        }
        for digest in victims { entries[digest] = nil }
    }
}

/// A change to keys, tenants or plans that cached entries must follow.
enum ChangeNotice: Sendable, Equatable {
    case tenant(String)
    case key(String)
    case plan(String)

    /// Whether a cached key follows this change; the notice's key id is parsed once here, not once
    /// for every cached key it is held against.
    func matcher() -> (CachedKey) -> Bool {
        switch self {
        case .tenant(let id):
            return { $0.tenantID == id }
        case .key(let id):
            let changed = UUIDValue(id)
            return { $0.keyID == changed }
        case .plan(let id):
            return { $0.planID == id }
        }
    }
}
