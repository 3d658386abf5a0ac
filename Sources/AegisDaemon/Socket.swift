internal import CSystem
import Glibc

/// Thin wrappers over the socket calls the daemon makes, each retrying EINTR.
enum Socket {
    /// Binds a listening Unix socket at `path` with file mode `mode`.
    ///
    /// A live daemon already answering on `path` is an error; a stale socket file left by a crash
    /// is replaced.
    static func listenUnix(path: String, mode: mode_t, backlog: Int32 = 1024) throws(SystemError) -> Int32 {
        if exists(path) {
            if let probe = try? connectUnix(path: path) {
                close(probe)
                throw SystemError("another aegisd is listening on \(path); bind", errno: EADDRINUSE)
            }
            unlink(path)
        }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue | SOCK_NONBLOCK.rawValue), 0)
        guard fd >= 0 else { throw SystemError("socket") }
        var address = try unixAddress(path)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard bound == 0 else {
            let error = SystemError("bind \(path)")
            close(fd)
            throw error
        }
        guard chmod(path, mode) == 0, listen(fd, backlog) == 0 else {
            let error = SystemError("listen \(path)")
            close(fd)
            unlink(path)
            throw error
        }
        return fd
    }

    /// Binds a listening TCP socket on a loopback `host:port`.
    static func listenTCP(host: String, port: UInt16, backlog: Int32 = 1024) throws(SystemError) -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue | SOCK_NONBLOCK.rawValue), 0)
        guard fd >= 0 else { throw SystemError("socket") }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        guard inet_pton(AF_INET, host == "localhost" ? "127.0.0.1" : host, &address.sin_addr) == 1 else {
            close(fd)
            throw SystemError("inet_pton \(host)", errno: EINVAL)
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, listen(fd, backlog) == 0 else {
            let error = SystemError("bind \(host):\(port)")
            close(fd)
            throw error
        }
        return fd
    }

    /// Accepts one pending connection, non-blocking; `nil` when none is waiting.
    static func accept(_ listener: Int32) -> Int32? {
        while true {
            let fd = accept4(listener, nil, nil, Int32(SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue))
            if fd >= 0 { return fd }
            if errno == EINTR { continue }
            return nil
        }
    }

    /// Connects to a Unix socket, blocking; used to ask whether a daemon still listens at a path.
    static func connectUnix(path: String) throws(SystemError) -> Int32 {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw SystemError("socket") }
        var address = try unixAddress(path)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        if result != 0 {
            let error = SystemError("connect \(path)")
            close(fd)
            throw error
        }
        return fd
    }

    enum IOResult {
        case bytes(Int)
        case wouldBlock
        case closed
        case failed(Int32)
    }

    /// Reads what the socket has now into `destination`.
    static func read(_ fd: Int32, into destination: UnsafeMutableRawBufferPointer) -> IOResult {
        while true {
            let count = Glibc.read(fd, destination.baseAddress, destination.count)
            if count > 0 { return .bytes(count) }
            if count == 0 { return .closed }
            if errno == EINTR { continue }
            return errno == EAGAIN || errno == EWOULDBLOCK ? .wouldBlock : .failed(errno)
        }
    }

    /// Writes as much of `bytes[from...]` as the socket takes now.
    static func write(_ fd: Int32, _ bytes: [UInt8], from offset: Int) -> IOResult {
        while true {
            let written = bytes.withUnsafeBytes { raw in
                send(fd, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
            }
            if written >= 0 { return .bytes(written) }
            if errno == EINTR { continue }
            return errno == EAGAIN || errno == EWOULDBLOCK ? .wouldBlock : .failed(errno)
        }
    }

    private static func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }

    private static func unixAddress(_ path: String) throws(SystemError) -> sockaddr_un {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            throw SystemError("socket path too long: \(path)", errno: ENAMETOOLONG)
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        return address
    }
}
