import AegisCore
import Glibc

/// Times a daemon from its exec to the first check it answers: starts the command, knocks on the
/// socket every half millisecond, and sends one check as soon as it connects. The key is not
/// cached yet, so the first answer includes loading it from PostgreSQL and a limiter call.
struct ColdStart {
    struct Result {
        var socketMs: Double
        /// The first reply of any kind (it may be `unavailable` while Redis is still connecting).
        var firstReplyMs: Double
        var firstReason: String
        /// The first reply the limiter decided: a real answer to a check.
        var answeredMs: Double
        var answeredReason: String
    }

    private static let limiterReasons: Set<String> = [
        Reason.ok, .quotaOverage, .burstExceeded, .rateExceeded, .quotaExceeded,
    ].reduce(into: []) { $0.insert($1.rawValue) }

    let options: BenchOptions
    let command: [String]
    let frame: [UInt8]

    /// Starts the daemon, measures, and stops it again with SIGTERM.
    /// - Throws: ``BenchError`` when something already answers on the socket, the command cannot
    ///   start, it exits, it answers `invalid_key`, or no answer comes within the time limit.
    func run() throws(BenchError) -> Result {
        if let stale = try? UnixSocket.connect(options.socketPath) {
            close(stale)
            throw BenchError("something already answers on \(options.socketPath); stop it first")
        }
        let started = monotonicNanoseconds()
        let daemon = try Child(spawning: command, output: options.daemonLogPath)
        defer { daemon.stop() }
        let deadline = started + UInt64(min(options.timeLimitSeconds, 60) * 1e9)
        let elapsed = { (now: UInt64) in Double(now - started) / 1e6 }

        var fd: Int32 = -1
        defer { if fd >= 0 { close(fd) } }
        var socketMs = 0.0
        while fd < 0 {
            try ensureRunning(daemon, deadline: deadline)
            if let connected = try? UnixSocket.connect(options.socketPath) {
                fd = connected
                socketMs = elapsed(monotonicNanoseconds())
            } else {
                usleep(500)
            }
        }

        var first: (ms: Double, reason: String)?
        while true {
            let reason = try exchange(fd, daemon: daemon, deadline: deadline)
            let ms = elapsed(monotonicNanoseconds())
            if first == nil { first = (ms, reason) }
            if Self.limiterReasons.contains(reason) {
                return Result(
                    socketMs: socketMs, firstReplyMs: first!.ms, firstReason: first!.reason, answeredMs: ms,
                    answeredReason: reason)
            }
            if reason == Reason.invalidKey.rawValue || reason == Reason.missingKey.rawValue {
                throw BenchError("aegisd answered \(reason) for the first key in \(options.keysPath)")
            }
            usleep(500)
        }
    }

    /// Sends the check and waits for its reply; returns the reply's reason.
    private func exchange(_ fd: Int32, daemon: Child, deadline: UInt64) throws(BenchError) -> String {
        let sent = frame.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        guard sent == frame.count else { throw BenchError("could not send the first check to aegisd") }
        var reply: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            if reply.count >= 4 {
                let length = Int(reply[0]) << 24 | Int(reply[1]) << 16 | Int(reply[2]) << 8 | Int(reply[3])
                if reply.count >= 4 + length {
                    return reply.withUnsafeBytes { bytes in
                        let frame = UnsafeRawBufferPointer(rebasing: bytes[4..<4 + length])
                        return ReasonCounter.reason(in: frame).map { String(decoding: $0, as: UTF8.self) } ?? "(none)"
                    }
                }
            }
            try ensureRunning(daemon, deadline: deadline)
            var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&descriptor, 1, 1) > 0 else { continue }
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count > 0 {
                reply += chunk[0..<count]
            } else if count == 0 {
                throw BenchError("aegisd closed the connection before answering")
            } else if errno != EAGAIN && errno != EINTR {
                throw BenchError("reading from aegisd failed: \(String(cString: strerror(errno)))")
            }
        }
    }

    private func ensureRunning(_ child: Child, deadline: UInt64) throws(BenchError) {
        if let status = child.exitStatus() {
            throw BenchError("the daemon exited (wait status \(status)) before answering; see \(options.daemonLogPath)")
        }
        if monotonicNanoseconds() >= deadline {
            throw BenchError("the daemon answered no check within \(min(options.timeLimitSeconds, 60)) s")
        }
    }
}
