import Glibc

/// Bytes read from a socket and not yet consumed, in one contiguous array.
///
/// Consumed bytes are dropped lazily: the unread tail moves to the front only when the free space
/// at the end runs short, so a pipelined burst is parsed in place without copies.
struct ReadBuffer {
    private var storage: [UInt8]
    private var start = 0
    private var end = 0
    private let limit: Int
    /// Whether the last read returned less than the free space offered, so the socket is drained.
    private(set) var lastReadWasShort = false

    /// - Parameters:
    ///   - capacity: the initial size.
    ///   - limit: the most unread bytes it will ever hold; a reader that needs more is misbehaving.
    init(capacity: Int, limit: Int) {
        storage = [UInt8](repeating: 0, count: capacity)
        self.limit = max(limit, capacity)
    }

    var isEmpty: Bool { start == end }
    var unreadCount: Int { end - start }

    /// Reads once from `fd` into the free space, making room first.
    /// Returns `.failed(ENOBUFS)` when the unread bytes already fill `limit`.
    mutating func read(from fd: Int32) -> Socket.IOResult {
        if storage.count - end < 4096 {
            guard makeRoom() else { return .failed(ENOBUFS) }
        }
        let space = storage.count - end
        let result = storage.withUnsafeMutableBytes { raw in
            Socket.read(fd, into: UnsafeMutableRawBufferPointer(rebasing: raw[end...]))
        }
        if case .bytes(let count) = result {
            end += count
            lastReadWasShort = count < space
        }
        return result
    }

    /// Calls `body` with the unread bytes; ranges it reports are relative to their start.
    func withUnreadBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try storage.withUnsafeBytes { raw in try body(UnsafeRawBufferPointer(rebasing: raw[start..<end])) }
    }

    mutating func consume(_ count: Int) {
        start += count
        if start == end {
            start = 0
            end = 0
        }
    }

    private mutating func makeRoom() -> Bool {
        if start > 0 {
            storage.withUnsafeMutableBytes { raw in
                raw.baseAddress!.copyMemory(from: raw.baseAddress! + start, byteCount: end - start)
            }
            end -= start
            start = 0
        }
        if storage.count - end >= 4096 { return true }
        guard storage.count < limit else { return false }
        storage.append(contentsOf: repeatElement(0, count: min(storage.count, limit - storage.count)))
        return true
    }
}
