import Foundation
import Glibc

/// A blocking client of `aegisd`'s check protocol (length-prefixed JSON frames over a Unix socket),
/// for the `check` and `health` commands.
struct SocketClient {
    let path: String
    var timeoutSeconds = 5

    /// Sends one request object and returns the reply object.
    /// - Throws: ``SocketClientError`` when the daemon cannot be reached or answers garbage.
    func exchange(_ request: [String: Any]) throws(SocketClientError) -> [String: Any] {
        let fd = try connectSocket()
        defer { close(fd) }
        let payload: Data
        do {
            payload = try JSONSerialization.data(withJSONObject: request)
        } catch {
            throw SocketClientError("cannot encode the request: \(error)")
        }
        var frame = withUnsafeBytes(of: UInt32(payload.count).bigEndian) { Array($0) }
        frame += payload
        try writeAll(fd, frame)
        let header = try readExactly(fd, 4)
        let length = header.reduce(0) { $0 << 8 | Int($1) }
        let body = try readExactly(fd, length)
        guard let reply = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] else {
            throw SocketClientError("aegisd sent a reply that is not a JSON object")
        }
        return reply
    }

    private func connectSocket() throws(SocketClientError) -> Int32 {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw SocketClientError("socket: \(String(cString: strerror(errno)))") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            close(fd)
            throw SocketClientError("socket path too long: \(path)")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes + [0]) }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard connected == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw SocketClientError("cannot reach aegisd at \(path): \(reason)")
        }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        return fd
    }

    private func writeAll(_ fd: Int32, _ bytes: [UInt8]) throws(SocketClientError) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes {
                send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL))
            }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else {
                throw SocketClientError("sending to aegisd failed: \(String(cString: strerror(errno)))")
            }
            offset += written
        }
    }

    private func readExactly(_ fd: Int32, _ count: Int) throws(SocketClientError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var offset = 0
        while offset < count {
            let got = bytes.withUnsafeMutableBytes { recv(fd, $0.baseAddress! + offset, count - offset, 0) }
            if got < 0 && errno == EINTR { continue }
            guard got > 0 else {
                throw SocketClientError(got == 0 ? "aegisd closed the connection" : "no reply from aegisd in time")
            }
            offset += got
        }
        return bytes
    }
}

/// Why a request to `aegisd` got no reply.
struct SocketClientError: Error, CustomStringConvertible {
    var description: String

    init(_ description: String) {
        self.description = description
    }
}
