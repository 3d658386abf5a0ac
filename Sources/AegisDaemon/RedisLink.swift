import AegisCore
import AegisRedis
import Foundation
import Glibc

/// The daemon's one pipelined connection to Redis.
///
/// Every check of a loop iteration is appended to one write buffer and sent with one `write`;
/// replies come back in order and are matched to the checks waiting in `inFlight`. A check whose
/// reply is late past `timeoutMs` is answered by the fail mode (its reply, when it comes, is
/// dropped). A connection that answers nothing for `stallMs` is dropped and reconnected with
/// backoff, and every check waiting on it fails over at once.
final class RedisLink {
    private enum State {
        case disconnected(retryAt: Int64)
        case connecting(fd: Int32, since: Int64)
        case ready(fd: Int32)
    }

    /// What each sent command's reply is for.
    private enum Expectation {
        case check(Check)
        /// AUTH, SELECT: must succeed, or the connection is useless.
        case setup
    }

    private let endpoint: RedisEndpoint
    /// The server's addresses, looked up once at start and again, off the loop, after a failed
    /// connect: a host name's lookup can block, and the loop must not.
    private var addresses: [RedisSocket.Address] = []
    private var resolving = false
    private let timeoutMs: Int64
    private let stallMs: Int64
    private let log: Log
    private unowned let owner: Daemon
    private var state: State = .disconnected(retryAt: 0)
    private var output: [UInt8] = []
    private var outputSent = 0
    private var input = ReadBuffer(capacity: 256 << 10, limit: 64 << 20)
    private var reader: RedisReplyReader
    private var inFlight: [Expectation] = []
    private var inFlightHead = 0
    /// Since when Redis owes a reply (monotonic ms), to tell a slow server from a dead one.
    private var owedSince: Int64?
    private var backoffMs: Int64 = 100
    private var watchingWrites = false
    /// Whether the last state change was logged as lost, so a warning comes once per outage.
    private var reportedDown = false
    /// Checks whose next invocation must carry the script source (after NOSCRIPT).
    private var sendSource = false

    init(url: String, timeoutMs: Int64, log: Log, owner: Daemon) throws {
        endpoint = try RedisEndpoint(url: url)
        self.timeoutMs = timeoutMs
        stallMs = max(1_000, timeoutMs * 4)
        self.log = log
        self.owner = owner
        reader = try RedisReplyReader()
        output.reserveCapacity(256 << 10)
        addresses = (try? RedisSocket.resolve(endpoint)) ?? []
    }

    var isReady: Bool {
        if case .ready = state { return true }
        return false
    }

    /// The earliest moment `expire` has something to do.
    var nextDeadline: Int64? {
        switch state {
        case .disconnected(let retryAt): return retryAt
        case .connecting(_, let since): return since + timeoutMs * 4
        case .ready:
            guard inFlightHead < inFlight.count else { return nil }
            for index in inFlightHead..<inFlight.count {
                if case .check(let check) = inFlight[index], check.phase == .limiting { return check.deadline }
            }
            return owedSince.map { $0 + stallMs }
        }
    }

    /// Starts connecting without blocking; the loop learns the result from writability.
    func connect(now: Int64) {
        do {
            guard let address = addresses.first else {
                throw RedisError(.connect, "\(endpoint) resolves to no address")
            }
            let (fd, connected) = try RedisSocket.beginConnect(to: address)
            state = .connecting(fd: fd, since: now)
            try owner.poller.add(fd, token: Daemon.Token.redis, writable: true)
            watchingWrites = true
            if connected { established(fd: fd, now: now) }
        } catch {
            lost(String(describing: error), now: now)
        }
    }

    /// Sends the limiter script for `check` with the next batch.
    func send(_ check: Check, now: Int64) {
        guard let key = check.key else { return }
        check.deadline = now + timeoutMs
        LimiterScript.appendInvocation(
            tenantID: key.tenantID, plan: key.plan, cost: check.request.cost, seed: check.seed, nowMicros: nil,
            useEval: sendSource, to: &output)
        if inFlightHead == inFlight.count { owedSince = now }
        inFlight.append(.check(check))
    }

    func handle(_ event: Poller.Event, now: Int64) {
        switch state {
        case .connecting(let fd, _):
            do {
                try RedisSocket.finishConnect(fd)
                established(fd: fd, now: now)
            } catch {
                lost(String(describing: error), now: now)
            }
        case .ready(let fd):
            if event.readable { readReplies(fd, now: now) }
            if event.writable, isReady { flush() }
        case .disconnected:
            break
        }
    }

    /// Whether commands are queued and the socket can take them now.
    var hasPendingOutput: Bool { isReady && !watchingWrites && outputSent < output.count }

    /// Writes what the iteration queued.
    func flush() {
        guard case .ready(let fd) = state else { return }
        while outputSent < output.count {
            switch Socket.write(fd, output, from: outputSent) {
            case .bytes(let count):
                outputSent += count
            case .wouldBlock:
                watchWrites(fd, true)
                return
            case .closed, .failed:
                lost("write failed", now: Clock.monotonicMs())
                return
            }
        }
        output.removeAll(keepingCapacity: true)
        outputSent = 0
        watchWrites(fd, false)
    }

    /// Fails over checks whose reply is late, reconnects when due, drops a stalled connection.
    func expire(now: Int64) {
        switch state {
        case .disconnected(let retryAt):
            if now >= retryAt { connect(now: now) }
        case .connecting(_, let since):
            if now - since > timeoutMs * 4 { lost("connect timed out", now: now) }
        case .ready:
            for index in inFlightHead..<inFlight.count {
                guard case .check(let check) = inFlight[index], check.phase == .limiting else { continue }
                if check.deadline <= now { owner.failOver(check) } else { break }
            }
            if let owedSince, now - owedSince > stallMs {
                lost("no reply for \(stallMs) ms", now: now)
            }
        }
    }

    private func established(fd: Int32, now: Int64) {
        state = .ready(fd: fd)
        backoffMs = 100
        if reportedDown {
            log.warning("Redis connection restored", ["redis": endpoint.description])
            reportedDown = false
        } else {
            log.info("Redis connected", ["redis": endpoint.description])
        }
        let handshakes = endpoint.appendHandshake(to: &output)
        for _ in 0..<handshakes { inFlight.append(.setup) }
        if handshakes > 0 { owedSince = now }
        flush()
    }

    private func readReplies(_ fd: Int32, now: Int64) {
        for _ in 0..<16 {
            switch input.read(from: fd) {
            case .bytes:
                do {
                    try input.withUnreadBytes { try reader.feed($0) }
                    input.consume(input.unreadCount)
                    while let reply = try reader.next() { dispatch(reply, now: now) }
                } catch {
                    lost(String(describing: error), now: now)
                    return
                }
                // A read that did not fill the buffer took all there was: asking again costs an EAGAIN.
                if input.lastReadWasShort { return }
                continue
            case .wouldBlock:
                return
            case .closed:
                lost("connection closed by Redis", now: now)
                return
            case .failed(let error):
                lost(SystemError("read", errno: error).description, now: now)
                return
            }
        }
    }

    private func dispatch(_ reply: RedisReply, now: Int64) {
        guard inFlightHead < inFlight.count else {
            lost("reply without a request", now: now)
            return
        }
        let expectation = inFlight[inFlightHead]
        inFlightHead += 1
        owedSince = now
        if inFlightHead == inFlight.count {
            inFlight.removeAll(keepingCapacity: true)
            inFlightHead = 0
            owedSince = nil
        } else if inFlightHead > 1024 {
            inFlight.removeFirst(inFlightHead)
            inFlightHead = 0
        }
        switch expectation {
        case .setup:
            do {
                try RedisEndpoint.checkHandshakeReply(reply)
            } catch {
                log.error("Redis refused the login", ["error": error.description])
                lost("login refused", now: now)
            }
        case .check(let check):
            if reply.isNoScript {
                // The server lost its script cache (restart, SCRIPT FLUSH): resend with the source.
                sendSource = true
                if check.phase == .limiting { send(check, now: now) }
                return
            }
            sendSource = false
            owner.limiterAnswered(check, Result { try LimiterScript.decode(reply) })
        }
    }

    private func lost(_ reason: String, now: Int64) {
        switch state {
        case .connecting(let fd, _), .ready(let fd):
            owner.poller.remove(fd)
            close(fd)
        case .disconnected:
            break
        }
        // A connect that failed may have aimed at an address the name no longer has.
        if !isReady { resolveAgain() }
        state = .disconnected(retryAt: now + backoffMs)
        backoffMs = min(backoffMs * 2, 2_000)
        if !reportedDown {
            log.warning("Redis connection lost", ["redis": endpoint.description, "reason": reason])
            reportedDown = true
        }
        let waiting = inFlight[inFlightHead...]
        inFlight.removeAll()
        inFlightHead = 0
        owedSince = nil
        output.removeAll(keepingCapacity: true)
        outputSent = 0
        watchingWrites = false
        try? reader = RedisReplyReader()
        input = ReadBuffer(capacity: 64 << 10, limit: 64 << 20)
        for case .check(let check) in waiting where check.phase == .limiting {
            owner.failOver(check)
        }
    }

    /// Looks the server up again on a thread of its own; the answer comes back through the mailbox.
    private func resolveAgain() {
        guard !resolving else { return }
        resolving = true
        let endpoint = endpoint
        let mailbox = owner.mailbox
        Thread.detachNewThread {
            mailbox.post(.redisAddresses((try? RedisSocket.resolve(endpoint)) ?? []))
        }
    }

    /// New addresses from `resolveAgain`; an empty answer keeps the ones known.
    func resolved(_ found: [RedisSocket.Address]) {
        resolving = false
        if !found.isEmpty { addresses = found }
    }

    private func watchWrites(_ fd: Int32, _ on: Bool) {
        guard watchingWrites != on else { return }
        watchingWrites = on
        try? owner.poller.modify(fd, token: Daemon.Token.redis, writable: on)
    }
}
