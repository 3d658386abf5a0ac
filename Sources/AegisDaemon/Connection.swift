import AegisCore

/// A client connection: its read buffer, the requests it has in flight, and the bytes to send.
///
/// Replies leave in request order. A check that finishes while an earlier one still waits (say, on
/// a cache miss) keeps its encoded reply until every earlier reply has been written.
final class Connection {
    enum Transport {
        case socket(FrameDecoder)
        case http(HTTPRequestParser)
    }

    let fd: Int32
    var transport: Transport
    var input: ReadBuffer
    var output: [UInt8] = []
    var outputSent = 0
    /// Requests in arrival order whose replies are not yet in `output`.
    private(set) var waiting: [Check] = []
    private var waitingHead = 0
    /// Monotonic milliseconds of the last byte read or written, for the idle timeout.
    var lastActive: Int64
    /// Set when no more requests are read: the client closed its side, or a framing error.
    var closeWhenDone = false
    var isClosed = false
    /// Whether epoll also watches for writability, because `output` did not fit the socket.
    var watchingWrites = false
    /// Whether the connection is already listed for this iteration's flush.
    var isDirty = false
    /// Whether reading is paused because the client has too many requests in flight.
    var paused = false

    /// Requests one connection may have in flight before its reading pauses; a pipelining client
    /// cannot make the daemon hold more than this many of its checks at once.
    static let maxInFlight = 4_096

    init(fd: Int32, transport: Transport, bufferLimit: Int, now: Int64) {
        self.fd = fd
        self.transport = transport
        input = ReadBuffer(capacity: 16 << 10, limit: bufferLimit)
        lastActive = now
    }

    var inFlight: Int { waiting.count - waitingHead }
    var hasOutput: Bool { outputSent < output.count }

    func enqueue(_ check: Check) {
        waiting.append(check)
    }

    /// Whether `check` is the oldest request still waiting, so its reply can go straight to `output`.
    func isNext(_ check: Check) -> Bool {
        waitingHead < waiting.count && waiting[waitingHead] === check
    }

    /// Moves replies that are ready, in order, from the waiting line to `output`.
    /// Call after the head's reply has been appended to `output` (or stored in `reply`).
    func advance(pastHead: Bool) {
        if pastHead { waitingHead += 1 }
        while waitingHead < waiting.count, let reply = waiting[waitingHead].reply {
            output.append(contentsOf: reply)
            waiting[waitingHead].reply = nil
            waitingHead += 1
        }
        if waitingHead == waiting.count {
            waiting.removeAll(keepingCapacity: true)
            waitingHead = 0
        } else if waitingHead > 64 && waitingHead * 2 > waiting.count {
            waiting.removeFirst(waitingHead)
            waitingHead = 0
        }
    }

    /// Drops bytes already sent.
    func compactOutput() {
        if outputSent == output.count {
            output.removeAll(keepingCapacity: output.capacity <= 256 << 10)
            outputSent = 0
        }
    }
}
