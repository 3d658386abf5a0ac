import AegisCore
import AegisRedis
import AegisStore
import Foundation
import Synchronization

/// What the background threads tell the event loop.
enum WorkerMessage: Sendable {
    case keys([(KeyDigest, KeyRecord?)], failed: [KeyDigest])
    case seed(tenantID: String, month: Int, value: Int64?)
    case changes([ChangeNotice])
    case postgres(up: Bool)
    /// Redis's addresses, looked up again after a failed connect.
    case redisAddresses([RedisSocket.Address])
}

/// The daemon's three PostgreSQL threads, each with its own blocking connection, so the event loop
/// never waits on PostgreSQL:
/// - the loader answers cache misses (batched into one query) and reads quota seeds;
/// - the watcher LISTENs for change notices and polls `change_log` every second, so a notice lost
///   with a dropped connection is still seen;
/// - the shipper ingests the spool into `request_logs` and `monthly_usage`.
final class PostgresWorkers: Sendable {
    private enum LoaderJob: Sendable {
        case keys([KeyDigest])
        case seed(tenantID: String, month: Int)
    }

    private let databaseURL: String
    private let spool: SpoolLocation
    private let shipIntervalMs: Int
    private let mailbox: Mailbox<WorkerMessage>
    private let log: Log
    private let loaderJobs = JobQueue<LoaderJob>()
    private let stopping = Atomic<Bool>(false)
    private let draining = Atomic<Bool>(false)
    private let wake = Condition()
    private let finished = JobQueue<String>()

    init(databaseURL: String, spool: SpoolLocation, shipIntervalMs: Int, mailbox: Mailbox<WorkerMessage>, log: Log) {
        self.databaseURL = databaseURL
        self.spool = spool
        self.shipIntervalMs = shipIntervalMs
        self.mailbox = mailbox
        self.log = log
    }

    func start() {
        Thread.detachNewThread { [self] in runLoader() }
        Thread.detachNewThread { [self] in runWatcher() }
        Thread.detachNewThread { [self] in runShipper() }
    }

    func loadKeys(_ digests: [KeyDigest]) {
        loaderJobs.submit(.keys(digests))
    }

    func loadSeed(tenantID: String, month: Int) {
        loaderJobs.submit(.seed(tenantID: tenantID, month: month))
    }

    /// Stops the threads after the shipper has sent what the spool holds, or after `drainTimeoutMs`.
    /// - Returns: whether the spool was fully shipped.
    func stop(drainTimeoutMs: Int) -> Bool {
        draining.store(true, ordering: .sequentiallyConsistent)
        wake.wake()
        let deadline = Date().addingTimeInterval(Double(drainTimeoutMs) / 1000)
        var shipped = false
        while Date() < deadline {
            if let done = finished.take(timeout: 0.1), done.contains("shipper") {
                shipped = true
                break
            }
        }
        stopping.store(true, ordering: .sequentiallyConsistent)
        loaderJobs.stop()
        return shipped
    }

    private var isStopping: Bool { stopping.load(ordering: .relaxed) }

    // MARK: Loader

    private func runLoader() {
        var link = StoreLink(url: databaseURL, role: "loader", log: log, mailbox: mailbox)
        while let jobs = loaderJobs.take(timeout: 1) {
            guard !jobs.isEmpty else { continue }
            var digests: [KeyDigest] = []
            for job in jobs {
                switch job {
                case .keys(let batch): digests += batch
                case .seed(let tenantID, let month): loadSeed(tenantID: tenantID, month: month, &link)
                }
            }
            if !digests.isEmpty { loadKeys(Array(Set(digests)), &link) }
        }
    }

    private func loadKeys(_ digests: [KeyDigest], _ link: inout StoreLink) {
        for start in stride(from: 0, to: digests.count, by: 1_000) {
            let batch = Array(digests[start..<min(start + 1_000, digests.count)])
            let byHex = Dictionary(uniqueKeysWithValues: batch.map { ($0.hex, $0) })
            guard let found = link.run({ try $0.lookupKeys(hashes: Array(byHex.keys)) }) else {
                mailbox.post(.keys([], failed: batch))
                continue
            }
            let loaded = byHex.map { hex, digest in (digest, found[hex]) }
            mailbox.post(.keys(loaded, failed: []))
        }
    }

    private func loadSeed(tenantID: String, month: Int, _ link: inout StoreLink) {
        let value = link.run { try $0.monthlyUsage(tenantID: tenantID, year: month / 100, month: month % 100) }
        mailbox.post(.seed(tenantID: tenantID, month: month, value: value))
    }

    // MARK: Watcher

    private func runWatcher() {
        var link = StoreLink(url: databaseURL, role: "watcher", log: log, mailbox: mailbox)
        var lastSeq: Int64?
        var listening = false
        while !isStopping {
            if !listening {
                listening = link.run { try $0.listenForChanges() } != nil
                if lastSeq == nil { lastSeq = link.run { try $0.latestChangeSeq() } }
            }
            if listening, let store = link.store {
                store.waitForNotification(timeoutSeconds: 1)
            } else {
                wake.wait(timeout: 1)
                continue
            }
            guard let after = lastSeq, let changes = link.run({ try $0.changes(after: after) }) else {
                listening = false
                continue
            }
            guard let last = changes.last else { continue }
            lastSeq = last.seq
            mailbox.post(.changes(changes.compactMap(ChangeNotice.init)))
        }
    }

    // MARK: Shipper

    private func runShipper() {
        var link = StoreLink(url: databaseURL, role: "shipper", log: log, mailbox: mailbox)
        var reader = SpoolReader(location: spool)
        while true {
            let draining = draining.load(ordering: .relaxed)
            let batch = reader.next(maxBytes: 2 << 20)
            if batch.skipped > 0 {
                log.warning("spool lines skipped: torn by a crash", ["count": String(batch.skipped)])
            }
            if batch.count == 0 && batch.skipped == 0 {
                if draining { break }
                wake.wait(timeout: Double(shipIntervalMs) / 1000)
                continue
            }
            if batch.count == 0 || link.run({ try Self.ship(batch.lines, to: $0, log: log) }) != nil {
                reader.commit()
                continue
            }
            if draining && isStopping { return }
            wake.wait(timeout: 1)
        }
        finished.submit("shipper")
    }

    /// Copies the lines as they are; a batch PostgreSQL rejects (a line damaged on disk) is parsed
    /// and stored record by record instead, so one bad line cannot hold up the rest.
    private static func ship(_ lines: [UInt8], to store: Store, log: Log) throws {
        do {
            _ = try lines.withUnsafeBytes { try store.ingest(copyLines: $0) }
        } catch let error as StoreError where error.code != .unavailable {
            let records = lines.split(separator: 0x0A).compactMap(LogRecord.init(copyLine:))
            log.warning("spool batch rejected by COPY; storing it record by record", ["error": error.message])
            try store.ingest(records)
        }
    }
}

/// One thread's PostgreSQL connection, reconnected on demand, reporting up/down changes once.
private struct StoreLink {
    let url: String
    let role: String
    let log: Log
    let mailbox: Mailbox<WorkerMessage>
    private(set) var store: Store?
    private var retryAt = Date.distantPast
    private var down = false

    init(url: String, role: String, log: Log, mailbox: Mailbox<WorkerMessage>) {
        self.url = url
        self.role = role
        self.log = log
        self.mailbox = mailbox
    }

    /// Runs `body` on a live connection; `nil` when PostgreSQL cannot be reached or the call failed.
    mutating func run<T>(_ body: (Store) throws -> T) -> T? {
        if store == nil {
            guard Date() >= retryAt else { return nil }
            do {
                store = try Store(url: url)
            } catch {
                failed(error)
                return nil
            }
        }
        do {
            let result = try body(store!)
            if down {
                down = false
                log.info("PostgreSQL reachable again", ["thread": role])
                mailbox.post(.postgres(up: true))
            }
            return result
        } catch {
            failed(error)
            return nil
        }
    }

    private mutating func failed(_ error: Error) {
        store = nil
        retryAt = Date().addingTimeInterval(1)
        if !down {
            down = true
            log.warning("PostgreSQL unreachable", ["thread": role, "error": String(describing: error)])
            mailbox.post(.postgres(up: false))
        }
    }
}

extension ChangeNotice {
    init?(_ change: Change) {
        switch change.kind {
        case "tenant": self = .tenant(change.target)
        case "key": self = .key(change.target)
        case "plan": self = .plan(change.target)
        default: return nil
        }
    }
}
