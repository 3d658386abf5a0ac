internal import CSystem
import Glibc

/// Readiness events from epoll, level-triggered. Owned and used by the event-loop thread only.
final class Poller {
    struct Event {
        var token: UInt64
        var readable: Bool
        var writable: Bool
        var hangup: Bool
    }

    private let epollFD: Int32
    private var events: [epoll_event]

    init(capacity: Int = 256) throws(SystemError) {
        epollFD = epoll_create1(Int32(EPOLL_CLOEXEC))
        guard epollFD >= 0 else { throw SystemError("epoll_create1") }
        events = Array(repeating: epoll_event(), count: capacity)
    }

    deinit {
        close(epollFD)
    }

    /// Starts watching `fd`; `token` comes back with each of its events.
    func add(_ fd: Int32, token: UInt64, writable: Bool = false) throws(SystemError) {
        try control(EPOLL_CTL_ADD, fd, token: token, writable: writable)
    }

    /// Changes what `fd` is watched for.
    func modify(_ fd: Int32, token: UInt64, readable: Bool = true, writable: Bool) throws(SystemError) {
        try control(EPOLL_CTL_MOD, fd, token: token, readable: readable, writable: writable)
    }

    func remove(_ fd: Int32) {
        _ = epoll_ctl(epollFD, EPOLL_CTL_DEL, fd, nil)
    }

    /// Waits up to `timeoutMs` (-1: forever) and calls `body` for each ready descriptor.
    func wait(timeoutMs: Int32, _ body: (Event) -> Void) {
        let count = events.withUnsafeMutableBufferPointer { buffer in
            epoll_wait(epollFD, buffer.baseAddress, Int32(buffer.count), timeoutMs)
        }
        guard count > 0 else { return }
        for index in 0..<Int(count) {
            let raw = events[index]
            let flags = raw.events
            body(
                Event(
                    token: raw.data.u64,
                    readable: flags & (EPOLLIN.rawValue | EPOLLHUP.rawValue | EPOLLERR.rawValue) != 0,
                    writable: flags & EPOLLOUT.rawValue != 0,
                    hangup: flags & (EPOLLHUP.rawValue | EPOLLERR.rawValue) != 0))
        }
    }

    private func control(
        _ op: Int32, _ fd: Int32, token: UInt64, readable: Bool = true, writable: Bool
    ) throws(SystemError) {
        var event = epoll_event()
        event.events = (readable ? EPOLLIN.rawValue | EPOLLRDHUP.rawValue : 0) | (writable ? EPOLLOUT.rawValue : 0)
        event.data.u64 = token
        guard epoll_ctl(epollFD, op, fd, &event) == 0 else { throw SystemError("epoll_ctl") }
    }
}

/// A failed system call, with the errno it left.
public struct SystemError: Error, CustomStringConvertible {
    public var call: String
    public var errno: Int32

    init(_ call: String, errno: Int32 = Glibc.errno) {
        self.call = call
        self.errno = errno
    }

    public var description: String {
        "\(call): \(String(cString: strerror(errno)))"
    }
}
