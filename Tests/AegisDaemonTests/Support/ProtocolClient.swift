import Foundation
import Glibc

/// A blocking client of the check protocol: length-prefixed frames, or line mode.
final class ProtocolClient {
    let fd: Int32
    let lineMode: Bool
    private var buffer: [UInt8] = []

    init(path: String, lineMode: Bool, timeoutSeconds: Int = 10) throws {
        self.lineMode = lineMode
        fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: Array(path.utf8) + [0])
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        // deinit closes fd, also when this init throws.
        guard connected == 0 else { throw TestFailure("connect \(path): errno \(errno)") }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit {
        close(fd)
    }

    /// Sends one request object and returns the reply object.
    func check(_ request: [String: Any]) throws -> [String: Any] {
        try send(request)
        return try receive()
    }

    func send(_ request: [String: Any]) throws {
        try sendRaw(Array(try JSONSerialization.data(withJSONObject: request)))
    }

    /// Sends `payload` framed for this connection's mode.
    func sendRaw(_ payload: [UInt8]) throws {
        var bytes: [UInt8]
        if lineMode {
            bytes = payload + [0x0A]
        } else {
            let length = UInt32(payload.count).bigEndian
            bytes = withUnsafeBytes(of: length) { Array($0) } + payload
        }
        try writeAll(bytes)
    }

    func writeAll(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes {
                Glibc.send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL))
            }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { throw TestFailure("send failed: errno \(errno)") }
            offset += written
        }
    }

    /// Reads one reply; returns the raw JSON text as well as the parsed object.
    func receiveRaw() throws -> [UInt8] {
        while true {
            if lineMode, let newline = buffer.firstIndex(of: 0x0A) {
                let line = Array(buffer[..<newline])
                buffer.removeFirst(newline + 1)
                return line
            }
            if !lineMode, buffer.count >= 4 {
                let length = Int(buffer[0]) << 24 | Int(buffer[1]) << 16 | Int(buffer[2]) << 8 | Int(buffer[3])
                if buffer.count >= 4 + length {
                    let frame = Array(buffer[4..<4 + length])
                    buffer.removeFirst(4 + length)
                    return frame
                }
            }
            var chunk = [UInt8](repeating: 0, count: 65536)
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { throw ConnectionClosed() }
            buffer += chunk[0..<count]
        }
    }

    func receive() throws -> [String: Any] {
        let raw = try receiveRaw()
        guard let object = try JSONSerialization.jsonObject(with: Data(raw)) as? [String: Any] else {
            throw TestFailure("reply is not an object: \(String(decoding: raw, as: UTF8.self))")
        }
        return object
    }

    /// Whether the daemon has closed the connection (reads EOF within `timeout`).
    func isClosedByPeer(timeout: Int = 2) -> Bool {
        var pollDescriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&pollDescriptor, 1, Int32(timeout * 1000)) > 0 else { return false }
        var byte: UInt8 = 0
        return recv(fd, &byte, 1, Int32(MSG_PEEK)) == 0
    }
}

struct ConnectionClosed: Error {}
