internal import CSystem
import Glibc
import Synchronization

/// Messages from background threads to the event loop, with an eventfd the loop polls.
///
/// Posting is cheap and never blocks; the loop drains everything at once when woken.
final class Mailbox<Message: Sendable>: Sendable {
    private let queue = Mutex<[Message]>([])
    /// Readable when messages are waiting.
    let fd: Int32

    init() throws(SystemError) {
        fd = eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
        guard fd >= 0 else { throw SystemError("eventfd") }
    }

    deinit {
        close(fd)
    }

    func post(_ message: Message) {
        let wasEmpty = queue.withLock { pending in
            pending.append(message)
            return pending.count == 1
        }
        if wasEmpty {
            var one: UInt64 = 1
            _ = Glibc.write(fd, &one, 8)
        }
    }

    /// Takes every waiting message, oldest first.
    func drain() -> [Message] {
        var counter: UInt64 = 0
        _ = Glibc.read(fd, &counter, 8)
        return queue.withLock { pending in
            defer { pending.removeAll(keepingCapacity: true) }
            return pending
        }
    }
}

/// Jobs handed to a background thread, which sleeps until there is work or a deadline passes.
final class JobQueue<Job: Sendable>: Sendable {
    private let state = Mutex<(jobs: [Job], stopped: Bool)>(([], false))
    private let signal = Condition()

    func submit(_ job: Job) {
        state.withLock { $0.jobs.append(job) }
        signal.wake()
    }

    func stop() {
        state.withLock { $0.stopped = true }
        signal.wake()
    }

    /// Waits up to `timeout` seconds for jobs; returns `nil` once stopped and empty.
    func take(timeout: Double) -> [Job]? {
        if let ready = takeNow() { return ready }
        signal.wait(timeout: timeout)
        return takeNow() ?? (isStopped ? nil : [])
    }

    private var isStopped: Bool { state.withLock { $0.stopped } }

    private func takeNow() -> [Job]? {
        state.withLock { state in
            guard !state.jobs.isEmpty else { return nil }
            defer { state.jobs.removeAll(keepingCapacity: true) }
            return state.jobs
        }
    }
}

/// A wake-up flag a thread can sleep on with a timeout (a counting semaphore capped at one).
final class Condition: Sendable {
    private let fd: Int32

    init() {
        fd = eventfd(0, Int32(EFD_CLOEXEC))
    }

    deinit {
        close(fd)
    }

    func wake() {
        var one: UInt64 = 1
        _ = Glibc.write(fd, &one, 8)
    }

    func wait(timeout: Double) {
        var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        if poll(&descriptor, 1, Int32(timeout * 1000)) > 0 {
            var counter: UInt64 = 0
            _ = Glibc.read(fd, &counter, 8)
        }
    }
}
