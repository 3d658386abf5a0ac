import Glibc

/// One connection of the generator: bytes waiting to be written, bytes read but not yet parsed,
/// and the send time of each request in flight (replies come back in request order).
///
/// Raw buffers rather than arrays, so the hot loop does no allocation, copy-on-write check or
/// exclusivity check per request.
final class BenchConnection {
    let fd: Int32
    private let depth: Int
    private let sentAt: UnsafeMutablePointer<UInt64>
    private var head = 0
    private(set) var inFlight = 0

    private let output: UnsafeMutableRawPointer
    private let outputCapacity: Int
    private var outputStart = 0
    private var outputEnd = 0

    private let input: UnsafeMutableRawPointer
    private let inputCapacity: Int
    private var inputStart = 0
    private var inputEnd = 0

    /// - Parameters:
    ///   - depth: requests in flight at most.
    ///   - largestFrame: the longest request frame, prefix included.
    init(path: String, depth: Int, largestFrame: Int) throws(BenchError) {
        fd = try UnixSocket.connect(path)
        self.depth = depth
        sentAt = .allocate(capacity: depth)
        outputCapacity = depth * largestFrame
        output = .allocate(byteCount: outputCapacity, alignment: 8)
        inputCapacity = 1 << 20
        input = .allocate(byteCount: inputCapacity, alignment: 8)
    }

    deinit {
        close(fd)
        sentAt.deallocate()
        output.deallocate()
        input.deallocate()
    }

    var canSend: Bool { inFlight < depth }
    var wantsWrite: Bool { outputStart < outputEnd }

    /// Queues one request frame sent at `now`.
    func enqueue(_ frame: UnsafeRawBufferPointer, now: UInt64) {
        if outputStart == outputEnd {
            outputStart = 0
            outputEnd = 0
        } else if outputEnd + frame.count > outputCapacity {
            (output + 0).copyMemory(from: output + outputStart, byteCount: outputEnd - outputStart)
            outputEnd -= outputStart
            outputStart = 0
        }
        (output + outputEnd).copyMemory(from: frame.baseAddress!, byteCount: frame.count)
        outputEnd += frame.count
        sentAt[(head + inFlight) % depth] = now
        inFlight += 1
    }

    /// Writes what the socket takes now.
    /// - Throws: ``BenchError`` when the daemon has closed the connection.
    func flush() throws(BenchError) {
        while outputStart < outputEnd {
            let written = send(fd, output + outputStart, outputEnd - outputStart, Int32(MSG_NOSIGNAL))
            if written > 0 {
                outputStart += written
                continue
            }
            if errno == EINTR { continue }
            if errno == EAGAIN || errno == EWOULDBLOCK { return }
            throw BenchError("writing to aegisd failed: \(String(cString: strerror(errno)))")
        }
    }

    /// Reads what the socket has, once.
    /// - Throws: ``BenchError`` when the daemon closed the connection or the read failed.
    func fill() throws(BenchError) {
        if inputStart == inputEnd {
            inputStart = 0
            inputEnd = 0
        } else if inputEnd == inputCapacity || inputStart > inputCapacity / 2 {
            input.copyMemory(from: input + inputStart, byteCount: inputEnd - inputStart)
            inputEnd -= inputStart
            inputStart = 0
        }
        while true {
            let count = read(fd, input + inputEnd, inputCapacity - inputEnd)
            if count > 0 {
                inputEnd += count
                return
            }
            if count == 0 {
                throw BenchError("aegisd closed a connection with \(inFlight) requests in flight")
            }
            if errno == EINTR { continue }
            if errno == EAGAIN || errno == EWOULDBLOCK { return }
            throw BenchError("reading from aegisd failed: \(String(cString: strerror(errno)))")
        }
    }

    /// The next complete reply and its request's send time, or nil until more bytes arrive.
    /// - Throws: ``BenchError`` for a reply nobody asked for or one too large to be a reply.
    func nextReply() throws(BenchError) -> (sentAt: UInt64, frame: UnsafeRawBufferPointer)? {
        let available = inputEnd - inputStart
        guard available >= 4 else { return nil }
        let base = (input + inputStart).assumingMemoryBound(to: UInt8.self)
        let length = Int(base[0]) << 24 | Int(base[1]) << 16 | Int(base[2]) << 8 | Int(base[3])
        guard length + 4 <= inputCapacity else {
            throw BenchError("aegisd sent a frame of \(length) bytes, more than any reply should be")
        }
        guard available >= length + 4 else { return nil }
        guard inFlight > 0 else { throw BenchError("aegisd sent a reply to no request") }

        let frame = UnsafeRawBufferPointer(start: base + 4, count: length)
        inputStart += length + 4
        let sent = sentAt[head]
        head = (head + 1) % depth
        inFlight -= 1
        return (sent, frame)
    }
}
