import Glibc

/// A blocking connection to Redis for tests, the admin command line and the benchmark.
///
/// It speaks through the same ``RESPWriter`` and ``RedisReplyReader`` the daemon's event loop
/// uses, over a socket from ``RedisSocket``, so there is one codec and one connect path to trust
/// rather than a second one inside hiredis' blocking context. Every call waits at most
/// ``timeout`` for its replies. After any I/O, timeout or protocol failure the connection is
/// closed, because replies could no longer be matched to commands; later calls throw
/// ``RedisError/Code/closed``.
///
/// One thread at a time; open one client per thread.
public final class RedisClient {
    public let endpoint: RedisEndpoint
    /// The longest any one call (a command or a pipeline) may wait.
    public var timeout: Duration
    private var fd: Int32
    private let reader: RedisReplyReader
    /// Receive buffer, owned by this client and freed in `deinit`; allocated last in `init` so a
    /// failed connect leaves nothing behind.
    private let input: UnsafeMutableRawBufferPointer

    /// Connects, then authenticates and selects the database when the endpoint says so.
    /// - Warning: Blocks for up to `timeout` to connect and as long again for the login.
    /// - Throws: ``RedisError`` with code `.connect`, `.timeout`, `.server` (login refused), ...
    public init(endpoint: RedisEndpoint, timeout: Duration = .seconds(2)) throws(RedisError) {
        self.endpoint = endpoint
        self.timeout = timeout
        self.reader = try RedisReplyReader()
        self.fd = try RedisSocket.connect(to: endpoint, timeout: timeout)
        self.input = .allocate(byteCount: 16 * 1024, alignment: 1)

        var handshake: [UInt8] = []
        let count = endpoint.appendHandshake(to: &handshake)
        if count > 0 {
            for reply in try send(encoded: handshake, replyCount: count) {
                try RedisEndpoint.checkHandshakeReply(reply)
            }
        }
    }

    /// Parses `url` (see ``RedisEndpoint``) and connects.
    public convenience init(url: String, timeout: Duration = .seconds(2)) throws(RedisError) {
        try self.init(endpoint: RedisEndpoint(url: url), timeout: timeout)
    }

    deinit {
        if fd >= 0 {
            Glibc.close(fd)
        }
        input.deallocate()
    }

    /// Whether the connection is still usable.
    public var isOpen: Bool { fd >= 0 }

    /// Closes the connection; later calls throw ``RedisError/Code/closed``.
    public func close() {
        if fd >= 0 {
            Glibc.close(fd)
            fd = -1
        }
    }

    /// Runs one command and returns its reply. An error reply is returned as ``RedisReply/error(_:)``,
    /// not thrown; only failures of the connection itself throw.
    /// - Warning: Blocks for up to ``timeout``.
    public func command(_ arguments: [String]) throws(RedisError) -> RedisReply {
        try pipeline([arguments])[0]
    }

    /// Sends all commands in one write and returns their replies in order.
    /// - Warning: Blocks for up to ``timeout``.
    public func pipeline(_ commands: [[String]]) throws(RedisError) -> [RedisReply] {
        var encoded: [UInt8] = []
        for command in commands {
            RESPWriter.appendCommand(command, to: &encoded)
        }
        return try send(encoded: encoded, replyCount: commands.count)
    }

    /// Sends commands already encoded (with ``RESPWriter`` or ``LimiterScript``) and reads
    /// `replyCount` replies.
    /// - Warning: Blocks for up to ``timeout``.
    public func send(encoded: [UInt8], replyCount: Int) throws(RedisError) -> [RedisReply] {
        guard fd >= 0 else {
            throw RedisError(.closed, "the connection to \(endpoint) is closed")
        }
        let deadline = ContinuousClock.now + timeout
        do throws(RedisError) {
            try write(encoded, deadline: deadline)
            var replies: [RedisReply] = []
            replies.reserveCapacity(replyCount)
            while replies.count < replyCount {
                if let reply = try reader.next() {
                    replies.append(reply)
                } else {
                    try readMore(deadline: deadline)
                }
            }
            return replies
        } catch {
            close()
            throw error
        }
    }

    private func write(_ bytes: [UInt8], deadline: ContinuousClock.Instant) throws(RedisError) {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes { raw in
                Glibc.send(fd, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
            }
            if sent > 0 {
                offset += sent
            } else if errno == EAGAIN || errno == EWOULDBLOCK {
                try RedisSocket.waitUntil(fd, events: Int16(POLLOUT), deadline: deadline, what: "sending to Redis")
            } else if errno != EINTR {
                throw RedisError(.io, "send to \(endpoint): \(RedisSocket.errorText(errno))", errno: errno)
            }
        }
    }

    private func readMore(deadline: ContinuousClock.Instant) throws(RedisError) {
        while true {
            let received = recv(fd, input.baseAddress, input.count, 0)
            if received > 0 {
                try reader.feed(UnsafeRawBufferPointer(rebasing: input[..<received]))
                return
            }
            if received == 0 {
                throw RedisError(.closed, "\(endpoint) closed the connection")
            }
            if errno == EAGAIN || errno == EWOULDBLOCK {
                try RedisSocket.waitUntil(fd, events: Int16(POLLIN), deadline: deadline, what: "waiting for Redis")
            } else if errno != EINTR {
                throw RedisError(.io, "recv from \(endpoint): \(RedisSocket.errorText(errno))", errno: errno)
            }
        }
    }
}
