import Foundation
import Glibc

/// A blocking HTTP/1.1 client over loopback TCP or a Unix socket, one connection per instance, that
/// keeps the connection open between requests and can send raw bytes, so a test controls every
/// byte a proxy would send.
final class HTTPClient {
    enum Address: CustomStringConvertible {
        case unix(String)
        case tcp(port: UInt16)

        var description: String {
            switch self {
            case .unix(let path): "unix:" + path
            case .tcp(let port): "127.0.0.1:\(port)"
            }
        }
    }

    let fd: Int32
    private var buffer: [UInt8] = []

    init(_ address: Address, timeoutSeconds: Int = 10) throws {
        switch address {
        case .unix(let path):
            fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
            var socketAddress = sockaddr_un()
            socketAddress.sun_family = sa_family_t(AF_UNIX)
            withUnsafeMutableBytes(of: &socketAddress.sun_path) { $0.copyBytes(from: Array(path.utf8) + [0]) }
            try Self.connect(fd, &socketAddress, address)
        case .tcp(let port):
            fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var socketAddress = loopbackAddress(port: port)
            try Self.connect(fd, &socketAddress, address)
        }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit {
        close(fd)
    }

    /// Sends one request and reads its response.
    /// - Parameter headers: Sent in this order after `Host`; a `Host` among them replaces the default.
    func request(
        _ method: String = "GET", _ target: String, headers: [(String, String)] = [], host: String = "localhost"
    ) throws -> HTTPResponse {
        try send(Self.requestBytes(method, target, headers: headers, host: host))
        return try readResponse(method: method)
    }

    /// The bytes of a request without body.
    static func requestBytes(
        _ method: String = "GET", _ target: String, headers: [(String, String)] = [], host: String = "localhost"
    ) -> [UInt8] {
        var text = "\(method) \(target) HTTP/1.1\r\n"
        if !headers.contains(where: { $0.0.lowercased() == "host" }) { text += "Host: \(host)\r\n" }
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        return Array((text + "\r\n").utf8)
    }

    func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes {
                Glibc.send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL))
            }
            guard written > 0 else { throw TestFailure("HTTP send failed: errno \(errno)") }
            offset += written
        }
    }

    func send(_ text: String) throws {
        try send(Array(text.utf8))
    }

    /// Reads one response: the body by `Content-Length`, chunked, or up to the end of the stream.
    /// - Parameter method: The request's method; a response to `HEAD` has no body.
    func readResponse(method: String = "GET") throws -> HTTPResponse {
        let headEnd = try readUntil([0x0D, 0x0A, 0x0D, 0x0A])
        let head = String(decoding: buffer[..<headEnd], as: UTF8.self)
        buffer.removeFirst(headEnd + 4)
        var lines = head.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst().split(separator: " ", maxSplits: 2)
        guard statusLine.count >= 2, statusLine[0].hasPrefix("HTTP/1."), let status = Int(statusLine[1]) else {
            throw TestFailure("not an HTTP status line: \(head)")
        }
        let headers = lines.map { line -> (String, String) in
            let colon = line.firstIndex(of: ":") ?? line.endIndex
            return (String(line[..<colon]), line[colon...].dropFirst().trimmingCharacters(in: .whitespaces))
        }
        var response = HTTPResponse(status: status, headers: headers, body: [])

        if method == "HEAD" || status == 204 || status == 304 || (100..<200).contains(status) {
            return response
        }
        if let length = response.header("content-length") {
            guard let count = Int(length) else { throw TestFailure("bad Content-Length: \(length)") }
            try fill(count)
            response.body = Array(buffer[..<count])
            buffer.removeFirst(count)
        } else if response.header("transfer-encoding")?.lowercased() == "chunked" {
            response.body = try readChunks()
        } else {
            while try readMore() {}
            response.body = buffer
            buffer = []
        }
        return response
    }

    /// Whether the peer has closed the connection (EOF within `timeout` seconds, nothing unread).
    func isClosedByPeer(timeout: Double = 2) -> Bool {
        guard buffer.isEmpty else { return false }
        var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&descriptor, 1, Int32(timeout * 1000)) > 0 else { return false }
        var byte: UInt8 = 0
        return recv(fd, &byte, 1, Int32(MSG_PEEK)) <= 0
    }

    private func readChunks() throws -> [UInt8] {
        var body: [UInt8] = []
        while true {
            let lineEnd = try readUntil([0x0D, 0x0A])
            let sizeText = String(decoding: buffer[..<lineEnd], as: UTF8.self).prefix { $0 != ";" }
            buffer.removeFirst(lineEnd + 2)
            guard let size = Int(sizeText, radix: 16) else { throw TestFailure("bad chunk size: \(sizeText)") }
            if size == 0 {
                // Trailer fields, if any, up to the empty line.
                while true {
                    let end = try readUntil([0x0D, 0x0A])
                    buffer.removeFirst(end + 2)
                    if end == 0 { return body }
                }
            }
            try fill(size + 2)
            body += buffer[..<size]
            buffer.removeFirst(size + 2)
        }
    }

    /// The index where `marker` first starts in the buffer, reading until it is there.
    private func readUntil(_ marker: [UInt8]) throws -> Int {
        while true {
            if let index = firstIndex(of: marker) { return index }
            guard try readMore() else { throw ConnectionClosed() }
        }
    }

    private func firstIndex(of marker: [UInt8]) -> Int? {
        guard buffer.count >= marker.count else { return nil }
        for index in 0...(buffer.count - marker.count) where buffer[index] == marker[0] {
            if Array(buffer[index..<index + marker.count]) == marker { return index }
        }
        return nil
    }

    private func fill(_ count: Int) throws {
        while buffer.count < count {
            guard try readMore() else { throw ConnectionClosed() }
        }
    }

    /// Reads what has arrived; `false` at the end of the stream.
    private func readMore() throws -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if count < 0 {
            if errno == EAGAIN || errno == EWOULDBLOCK { throw TestFailure("HTTP read timed out") }
            if errno == ECONNRESET { return false }
            throw TestFailure("HTTP read failed: errno \(errno)")
        }
        buffer += chunk[0..<count]
        return count > 0
    }

    private static func connect<SocketAddress>(_ fd: Int32, _ address: inout SocketAddress, _ name: Address) throws {
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<SocketAddress>.size))
            }
        }
        // No close here: deinit runs when init throws, and closing twice could close a descriptor
        // another test's thread has been given in between.
        guard connected == 0 else { throw TestFailure("connect \(name): errno \(errno)") }
    }
}

/// A response as read off the wire.
struct HTTPResponse {
    var status: Int
    var headers: [(name: String, value: String)]
    var body: [UInt8]

    /// The first value of a header, the name compared without case.
    func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    func values(_ name: String) -> [String] {
        headers.filter { $0.name.lowercased() == name.lowercased() }.map(\.value)
    }

    var text: String { String(decoding: body, as: UTF8.self) }

    /// The body as a JSON object; an empty object when it is not one.
    var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] ?? [:]
    }
}

/// A loopback IPv4 address.
func loopbackAddress(port: UInt16) -> sockaddr_in {
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = port.bigEndian
    address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
    return address
}

/// A loopback TCP port nobody listens on right now (the kernel's pick), for a server a test starts.
func freeLoopbackPort() throws -> UInt16 {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = loopbackAddress(port: 0)
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
        }
    }
    guard bound else { throw TestFailure("no free loopback port: errno \(errno)") }
    return UInt16(bigEndian: address.sin_port)
}
