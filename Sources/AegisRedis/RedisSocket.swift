import Glibc

/// Opens stream sockets to a Redis server, for the blocking client and for an event loop.
///
/// An event loop uses the three steps on their own: ``resolve(_:)`` once, ``beginConnect(to:)``
/// (which never blocks), then, after the descriptor reports writable, ``finishConnect(_:)``.
/// ``connect(to:timeout:)`` strings them together with `poll` for callers that may block.
public enum RedisSocket {
    /// One resolved socket address of a Redis server.
    public struct Address: Sendable, CustomStringConvertible {
        fileprivate var storage: sockaddr_storage
        fileprivate var length: socklen_t
        fileprivate var isTCP: Bool
        /// `host:port` as written in the URL, or the socket path; safe to log.
        public let description: String
    }

    /// Resolves the endpoint into the addresses to try, in the resolver's order.
    /// - Warning: Blocks while the system resolver looks a host name up (not for IP literals or
    ///   Unix paths).
    /// - Throws: ``RedisError/Code/connect`` when the name does not resolve.
    public static func resolve(_ endpoint: RedisEndpoint) throws(RedisError) -> [Address] {
        switch endpoint.address {
        case .unix(let path):
            return [try unixAddress(path)]
        case .tcp(let host, let port):
            return try tcpAddresses(host: host, port: port)
        }
    }

    /// Creates a non-blocking, close-on-exec socket and starts connecting it; never blocks.
    /// - Returns: The descriptor, and whether the connection is already established. When it is
    ///   not, wait until the descriptor is writable, then call ``finishConnect(_:)``.
    /// - Throws: ``RedisError/Code/connect``; no descriptor is left open.
    public static func beginConnect(to address: Address) throws(RedisError) -> (fd: Int32, connected: Bool) {
        let family = Int32(address.storage.ss_family)
        let fd = socket(
            family,
            Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue)
                | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else {
            throw RedisError(.connect, "\(address): socket: \(errorText(errno))", errno: errno)
        }
        if address.isTCP {
            // Commands are small and latency-bound; Nagle's algorithm would hold them back.
            var one: Int32 = 1
            _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        }
        var storage = address.storage
        let result = withUnsafePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, address.length) }
        }
        if result == 0 {
            return (fd, true)
        }
        let code = errno
        if code == EINPROGRESS || code == EINTR {
            return (fd, false)
        }
        close(fd)
        throw RedisError(.connect, "\(address): \(errorText(code))", errno: code)
    }

    /// Completes a connect started by ``beginConnect(to:)`` once the descriptor is writable.
    /// - Throws: ``RedisError/Code/connect`` with the reason the connect failed; the caller still
    ///   owns and must close the descriptor.
    public static func finishConnect(_ fd: Int32) throws(RedisError) {
        var code: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(fd, SOL_SOCKET, SO_ERROR, &code, &length) == 0 else {
            throw RedisError(.connect, "getsockopt: \(errorText(errno))", errno: errno)
        }
        if code != 0 {
            throw RedisError(.connect, errorText(code), errno: code)
        }
    }

    /// Connects to the first address that answers within `timeout` in total.
    /// - Returns: A connected descriptor in non-blocking mode; the caller owns it.
    /// - Warning: Blocks for up to `timeout` (plus name resolution).
    /// - Throws: ``RedisError/Code/timeout`` or ``RedisError/Code/connect`` (the last address's
    ///   failure when all fail).
    public static func connect(to endpoint: RedisEndpoint, timeout: Duration) throws(RedisError) -> Int32 {
        let deadline = ContinuousClock.now + timeout
        var lastError = RedisError(.connect, "\(endpoint): no address to connect to")
        for address in try resolve(endpoint) {
            do throws(RedisError) {
                let (fd, connected) = try beginConnect(to: address)
                if connected {
                    return fd
                }
                do throws(RedisError) {
                    try waitUntil(fd, events: Int16(POLLOUT), deadline: deadline, what: "connecting to \(address)")
                    try finishConnect(fd)
                    return fd
                } catch {
                    close(fd)
                    throw RedisError(error.code, "\(address): \(error.message)", errno: error.errno)
                }
            } catch {
                lastError = error
                if error.code == .timeout { break }
            }
        }
        throw lastError
    }

    /// Waits with `poll` until `fd` has one of `events` or the deadline passes.
    /// - Throws: ``RedisError/Code/timeout`` at the deadline, ``RedisError/Code/io`` if `poll`
    ///   fails.
    static func waitUntil(
        _ fd: Int32, events: Int16, deadline: ContinuousClock.Instant,
        what: String
    ) throws(RedisError) {
        while true {
            let left = ContinuousClock.now.duration(to: deadline)
            guard left > .zero else {
                throw RedisError(.timeout, "timed out \(what)")
            }
            var descriptor = pollfd(fd: fd, events: events, revents: 0)
            let ready = poll(&descriptor, 1, roundedUpMilliseconds(left))
            if ready > 0 {
                return
            }
            if ready < 0 && errno != EINTR {
                throw RedisError(.io, "poll: \(errorText(errno))", errno: errno)
            }
        }
    }

    /// `poll` takes whole milliseconds; rounding down would wake up early and spin.
    private static func roundedUpMilliseconds(_ duration: Duration) -> Int32 {
        let (seconds, attoseconds) = duration.components
        let attosecondsPerMillisecond: Int64 = 1_000_000_000_000_000
        let fraction = (attoseconds + attosecondsPerMillisecond - 1) / attosecondsPerMillisecond
        return Int32(clamping: seconds * 1000 + fraction)
    }

    static func errorText(_ code: Int32) -> String {
        String(cString: strerror(code))
    }

    private static func unixAddress(_ path: String) throws(RedisError) -> Address {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard bytes.count < capacity else {
            throw RedisError(.connect, "socket path longer than \(capacity - 1) bytes")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
        }
        var storage = sockaddr_storage()
        withUnsafeMutableBytes(of: &storage) { target in
            withUnsafeBytes(of: &address) { target.copyBytes(from: $0) }
        }
        let length = MemoryLayout<sockaddr_un>.offset(of: \.sun_path)! + bytes.count + 1
        return Address(storage: storage, length: socklen_t(length), isTCP: false, description: path)
    }

    private static func tcpAddresses(host: String, port: Int) throws(RedisError) -> [Address] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        let shown = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        guard status == 0, let list else {
            let reason = status == EAI_SYSTEM ? errorText(errno) : String(cString: gai_strerror(status))
            throw RedisError(.connect, "cannot resolve \(shown): \(reason)")
        }
        defer { freeaddrinfo(list) }

        var addresses: [Address] = []
        var node: UnsafeMutablePointer<addrinfo>? = list
        while let current = node {
            let info = current.pointee
            if let socketAddress = info.ai_addr, Int(info.ai_addrlen) <= MemoryLayout<sockaddr_storage>.size {
                var storage = sockaddr_storage()
                withUnsafeMutableBytes(of: &storage) { target in
                    target.copyMemory(from: UnsafeRawBufferPointer(start: socketAddress, count: Int(info.ai_addrlen)))
                }
                addresses.append(Address(storage: storage, length: info.ai_addrlen, isTCP: true, description: shown))
            }
            node = info.ai_next
        }
        return addresses
    }
}
