import AegisCore
import AegisRedis
import AegisStore
internal import CSystem
import Glibc

/// The decision daemon: one event-loop thread owning every socket, the key cache and the Redis
/// pipeline, plus background threads for PostgreSQL (see ``PostgresWorkers``).
///
/// The check path reads top to bottom in `Daemon+Check.swift`: decode, resolve the key, ask the
/// limiter, record, reply.
public final class Daemon {
    let configuration: DaemonConfiguration
    let log: Log
    let poller: Poller
    let mailbox: Mailbox<WorkerMessage>
    let workers: PostgresWorkers
    let spool: SpoolWriter
    var redis: RedisLink!
    var cache: KeyCache<Check>
    var decisionIDs = DecisionIDs()

    var connections: [Int32: Connection] = [:]
    /// Connections given output this iteration, flushed once at its end.
    var dirty: [Connection] = []
    var listeners: [(fd: Int32, token: UInt64, kind: ListenerKind)] = []
    var signalFD: Int32 = -1
    var spoolLockFD: Int32 = -1
    var postgresUp = true
    var stopping = false
    var stopDeadline: Int64 = 0
    var nextSweep: Int64 = 0
    /// Checks waiting for the loader to read a quota counter from PostgreSQL, by tenant and month.
    var seedWaiters: [String: [Check]] = [:]

    enum ListenerKind {
        case socket
        case http
    }

    enum Token {
        static let mailbox: UInt64 = 1 << 40
        static let signals: UInt64 = 1 << 40 | 1
        static let redis: UInt64 = 1 << 40 | 2
        static let listenerBase: UInt64 = 1 << 41
    }

    /// Sets everything up: the spool lock, the sockets, the background threads.
    /// - Throws: a ``SystemError`` or a configuration error describing what is wrong.
    public init(configuration: DaemonConfiguration, log: Log) throws {
        self.configuration = configuration
        self.log = log
        try LimiterScript.validate()
        poller = try Poller()
        mailbox = try Mailbox()
        cache = KeyCache(capacity: configuration.cacheSize)

        let location = SpoolLocation(directory: configuration.spoolDirectory)
        spoolLockFD = try location.lock()
        spool = try SpoolWriter(location: location, log: log)
        workers = PostgresWorkers(
            databaseURL: configuration.databaseURL, spool: location, shipIntervalMs: configuration.shipIntervalMs,
            mailbox: mailbox, log: log)
        redis = try RedisLink(
            url: configuration.redisURL, timeoutMs: Int64(configuration.redisTimeoutMs), log: log, owner: self)

        try poller.add(mailbox.fd, token: Token.mailbox)
        try installSignalHandling()
        try openListeners()
    }

    deinit {
        for listener in listeners { close(listener.fd) }
        if signalFD >= 0 { close(signalFD) }
        if spoolLockFD >= 0 { close(spoolLockFD) }
    }

    /// Serves until SIGTERM or SIGINT, then drains and returns the process exit code.
    public func run() -> Int32 {
        workers.start()
        redis.connect(now: Clock.monotonicMs())
        log.info(
            "aegisd ready",
            [
                "socket": configuration.socketPath, "fail_mode": configuration.failMode.rawValue,
                "http": configuration.http.map(Self.describe) ?? "off",
            ])

        while !(stopping && isDrained(now: Clock.monotonicMs())) {
            poller.wait(timeoutMs: nextTimeout()) { event in
                handle(event)
            }
            let now = Clock.monotonicMs()
            redis.expire(now: now)
            if now >= nextSweep {
                sweepIdleConnections(now: now)
                nextSweep = now + 1_000
            }
            endIteration()
        }
        return shutDown()
    }

    private func handle(_ event: Poller.Event) {
        switch event.token {
        case Token.mailbox:
            for message in mailbox.drain() { receive(message) }
        case Token.signals:
            readSignals()
        case Token.redis:
            redis.handle(event, now: Clock.monotonicMs())
        case Token.listenerBase...:
            if let listener = listeners.first(where: { $0.token == event.token }) {
                acceptConnections(listener.fd, kind: listener.kind)
            }
        default:
            guard let connection = connections[Int32(truncatingIfNeeded: event.token)] else { return }
            if event.readable { readRequests(connection) }
            if event.writable { markDirty(connection) }
        }
    }

    /// The iteration's decisions reach the spool before any of their replies reach a client.
    func endIteration() {
        repeat {
            spool.flush()
            redis.flush()
            let ready = dirty
            dirty.removeAll(keepingCapacity: true)
            for connection in ready {
                connection.isDirty = false
                flushOutput(connection)
            }
            // Flushing can resume a paused connection, whose requests then need sending too.
        } while !dirty.isEmpty || redis.hasPendingOutput
    }

    private func nextTimeout() -> Int32 {
        let now = Clock.monotonicMs()
        var deadline = nextSweep
        if let redisDeadline = redis.nextDeadline { deadline = min(deadline, redisDeadline) }
        if stopping { deadline = min(deadline, now + 50) }
        return Int32(clamping: max(0, deadline - now))
    }

    private func isDrained(now: Int64) -> Bool {
        if now >= stopDeadline { return true }
        return connections.values.allSatisfy { $0.inFlight == 0 && !$0.hasOutput }
    }

    private func shutDown() -> Int32 {
        for connection in Array(connections.values) { closeConnection(connection) }
        spool.flush()
        removeSocketFiles()
        log.info("draining decisions to PostgreSQL")
        let shipped = workers.stop(drainTimeoutMs: 10_000)
        log.info("aegisd stopped", ["spool": shipped ? "shipped" : "kept for the next start"])
        return 0
    }

    static func describe(_ address: DaemonConfiguration.HTTPAddress) -> String {
        switch address {
        case .unix(let path): "unix:\(path)"
        case .tcp(let host, let port): "\(host):\(port)"
        }
    }
}

/// Time sources: monotonic for timeouts, wall clock for records.
enum Clock {
    static func monotonicMs() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Int64(now.tv_sec) * 1000 + Int64(now.tv_nsec) / 1_000_000
    }

    static func wallMs() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Int64(now.tv_sec) * 1000 + Int64(now.tv_nsec) / 1_000_000
    }
}

/// Decision ids: UUIDv7 with a per-process random base and a counter, so each costs no syscall.
struct DecisionIDs {
    private var counter: UInt64
    private var lastMs: Int64 = 0
    private var sequence: UInt16 = 0

    init() {
        var random = SystemRandomNumberGenerator()
        counter = random.next()
    }

    mutating func next(wallMs: Int64) -> UUIDv7 {
        if wallMs > lastMs {
            lastMs = wallMs
            sequence = 0
        } else if sequence < 0xFFF {
            sequence += 1
        } else {
            lastMs += 1
            sequence = 0
        }
        counter &+= 1
        return UUIDv7(milliseconds: lastMs, randA: sequence, randB: counter)
    }
}

extension Daemon {
    func receive(_ message: WorkerMessage) {
        switch message {
        case .keys(let loaded, let failed):
            keysLoaded(loaded, failed: failed)
        case .seed(let tenantID, let month, let value):
            seedLoaded(tenantID: tenantID, month: month, value: value)
        case .changes(let changes):
            apply(changes)
        case .postgres(let up):
            postgresUp = up
        case .redisAddresses(let addresses):
            redis.resolved(addresses)
        }
    }
}
