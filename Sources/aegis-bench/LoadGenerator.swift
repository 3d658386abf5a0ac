import Glibc

/// A closed-loop load: C connections each keeping P checks in flight, one thread, one `poll`.
///
/// A warm-up runs first, unmeasured. A reply counts when its request was sent after the warm-up
/// ended; the measured interval runs from then to the last counted reply.
final class LoadGenerator {
    struct Result {
        var checks: UInt64
        var seconds: Double
        var latency: LatencyHistogram
        var reasons: ReasonCounter
        /// aegisd's CPU seconds over the measured interval.
        var cpuSeconds: Double?
        var memoryAtStart: ProcessProbe.Memory?
        var memoryAtEnd: ProcessProbe.Memory?
        /// The largest resident size seen while measuring (sampled each second).
        var largestResidentKiB: Int?
    }

    private static let stallLimit: UInt64 = 10_000_000_000
    private static let sampleInterval: UInt64 = 1_000_000_000

    private let options: BenchOptions
    private let frames: RequestFrames
    private let probe: ProcessProbe?
    private var connections: [BenchConnection] = []
    private let pollSet: UnsafeMutablePointer<pollfd>

    private let latency = LatencyHistogram()
    private let reasons = ReasonCounter()
    private var nextFrame = 0
    private var measuring = false
    private var measureStart: UInt64 = 0
    private var sendUntil = UInt64.max
    private var measuredSent = 0
    private var lastCounted: UInt64 = 0
    private var lastProgress: UInt64 = 0
    private var cpuAtStart: Double?
    private var memoryAtStart: ProcessProbe.Memory?
    private var largestResident: Int?
    private var nextSample: UInt64 = 0

    init(options: BenchOptions, frames: RequestFrames) throws(BenchError) {
        self.options = options
        self.frames = frames
        probe = try options.pid.map { pid throws(BenchError) in try ProcessProbe(pid: pid) }
        pollSet = .allocate(capacity: options.connections)
        for index in 0..<options.connections {
            let connection = try BenchConnection(
                path: options.socketPath, depth: options.pipeline, largestFrame: frames.largest)
            connections.append(connection)
            pollSet[index] = pollfd(fd: connection.fd, events: Int16(POLLIN), revents: 0)
        }
    }

    deinit {
        pollSet.deallocate()
    }

    /// Runs the warm-up and the measurement.
    /// - Throws: ``BenchError`` when a connection fails, aegisd stops answering, or the time limit passes.
    func run() throws(BenchError) -> Result {
        let start = monotonicNanoseconds()
        let warmupEnd = start + UInt64(options.warmupSeconds * 1e9)
        let hardStop = start + UInt64(options.timeLimitSeconds * 1e9)
        lastProgress = start
        if options.warmupSeconds == 0 { beginMeasuring(at: start) }

        for connection in connections { try refill(connection, now: start) }
        while mayKeepSending(now: monotonicNanoseconds()) || connections.contains(where: { $0.inFlight > 0 }) {
            for (index, connection) in connections.enumerated() {
                pollSet[index].events = Int16(connection.wantsWrite ? POLLIN | POLLOUT : POLLIN)
                pollSet[index].revents = 0
            }
            let ready = poll(pollSet, nfds_t(connections.count), 100)
            guard ready >= 0 || errno == EINTR else {
                throw BenchError("poll failed: \(String(cString: strerror(errno)))")
            }
            let now = monotonicNanoseconds()
            if !measuring && now >= warmupEnd { beginMeasuring(at: now) }
            try checkBounds(now: now, hardStop: hardStop)
            if measuring && now >= nextSample { sample(now: now) }
            guard ready > 0 else { continue }

            for index in 0..<connections.count where pollSet[index].revents != 0 {
                try serve(connections[index], events: pollSet[index].revents, now: now)
            }
        }

        let end = max(lastCounted, measureStart)
        var cpu: Double?
        if let before = cpuAtStart, let after = probe?.cpuSeconds() { cpu = after - before }
        let memoryAtEnd = probe?.memory()
        if let resident = memoryAtEnd?.residentKiB { largestResident = max(largestResident ?? 0, resident) }
        return Result(
            checks: latency.total, seconds: Double(end - measureStart) / 1e9, latency: latency, reasons: reasons,
            cpuSeconds: cpu, memoryAtStart: memoryAtStart, memoryAtEnd: memoryAtEnd, largestResidentKiB: largestResident
        )
    }

    private func serve(_ connection: BenchConnection, events: Int16, now: UInt64) throws(BenchError) {
        if events & Int16(POLLIN | POLLHUP | POLLERR) != 0 {
            try connection.fill()
            while let (sentAt, frame) = try connection.nextReply() {
                lastProgress = now
                guard measuring, sentAt >= measureStart else { continue }
                latency.record(now - sentAt)
                reasons.count(reply: frame)
                lastCounted = now
            }
        }
        if events & Int16(POLLNVAL) != 0 { throw BenchError("a connection to aegisd was lost") }
        try refill(connection, now: now)
    }

    private func refill(_ connection: BenchConnection, now: UInt64) throws(BenchError) {
        while connection.canSend && mayKeepSending(now: now) {
            let from = frames.offsets[nextFrame]
            let to = frames.offsets[nextFrame + 1]
            frames.bytes.withUnsafeBytes {
                connection.enqueue(UnsafeRawBufferPointer(rebasing: $0[from..<to]), now: now)
            }
            nextFrame += 1
            if nextFrame == frames.count { nextFrame = 0 }
            if measuring { measuredSent += 1 }
        }
        try connection.flush()
    }

    private func mayKeepSending(now: UInt64) -> Bool {
        guard measuring else { return true }
        switch options.stop {
        case .count(let count): return measuredSent < count
        case .duration: return now < sendUntil
        }
    }

    private func beginMeasuring(at now: UInt64) {
        measuring = true
        measureStart = now
        lastCounted = now
        if case .duration(let seconds) = options.stop { sendUntil = now + UInt64(seconds * 1e9) }
        cpuAtStart = probe?.cpuSeconds()
        memoryAtStart = probe?.memory()
        largestResident = memoryAtStart?.residentKiB
        nextSample = now + Self.sampleInterval
    }

    private func sample(now: UInt64) {
        nextSample = now + Self.sampleInterval
        if let resident = probe?.memory()?.residentKiB { largestResident = max(largestResident ?? 0, resident) }
    }

    private func checkBounds(now: UInt64, hardStop: UInt64) throws(BenchError) {
        if now >= hardStop {
            throw BenchError(
                "stopped at the time limit of \(options.timeLimitSeconds) s with \(latency.total) checks measured")
        }
        if now - lastProgress > Self.stallLimit {
            throw BenchError("aegisd answered nothing for \(Self.stallLimit / 1_000_000_000) s")
        }
    }
}
