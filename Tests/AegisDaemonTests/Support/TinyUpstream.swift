import Foundation
import Glibc
import Synchronization

/// The application behind the proxy: a loopback HTTP/1.1 server, a thread per connection, that
/// records every request it is given and answers each with 200 `{"upstream":true}`.
final class TinyUpstream: Sendable {
    /// One request as the application received it.
    struct Request: Sendable {
        var method: String
        var target: String
        var headers: [(name: String, value: String)]

        /// The values of a header, the name compared without case.
        func values(_ name: String) -> [String] {
            headers.filter { $0.name.lowercased() == name.lowercased() }.map(\.value)
        }

        func header(_ name: String) -> String? { values(name).first }
    }

    let port: UInt16
    private let server: UpstreamServer

    init() throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = loopbackAddress(port: 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(listener, $0, length) == 0 && getsockname(listener, $0, &length) == 0
            }
        }
        guard bound, listen(listener, 64) == 0 else {
            close(listener)
            throw TestFailure("upstream bind failed: errno \(errno)")
        }
        port = UInt16(bigEndian: address.sin_port)
        // The threads hold only the server, so this object's deinit can stop them.
        let server = UpstreamServer(listener: listener)
        self.server = server
        Thread.detachNewThread { server.acceptLoop() }
    }

    deinit {
        server.stop()
    }

    /// Every request received so far, in order of arrival.
    var requests: [Request] { server.state.withLock { $0.requests } }
}

private final class UpstreamServer: Sendable {
    let listener: Int32
    let state = Mutex<(requests: [TinyUpstream.Request], sockets: [Int32])>(([], []))

    init(listener: Int32) {
        self.listener = listener
    }

    /// Wakes the threads blocked in accept and recv; they close their own sockets.
    func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        // Under the lock: a thread closes its socket only after leaving the list, so no number here
        // can have been reused for someone else's socket.
        state.withLock { state in
            for fd in state.sockets { shutdown(fd, Int32(SHUT_RDWR)) }
        }
    }

    func acceptLoop() {
        defer { close(listener) }
        while true {
            let client = accept(listener, nil, nil)
            guard client >= 0 else {
                if errno == EINTR || errno == ECONNABORTED { continue }
                return
            }
            state.withLock { $0.sockets.append(client) }
            Thread.detachNewThread { self.serve(client) }
        }
    }

    private func serve(_ fd: Int32) {
        defer {
            state.withLock { $0.sockets.removeAll { $0 == fd } }
            close(fd)
        }
        var buffer: [UInt8] = []
        while true {
            guard let (request, bodyLength, headEnd) = Self.parseHead(buffer) else {
                var chunk = [UInt8](repeating: 0, count: 16384)
                let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                guard count > 0 else { return }
                buffer += chunk[0..<count]
                continue
            }
            // The proxy does not send bodies to this application in the tests; read past any anyway.
            while buffer.count < headEnd + bodyLength {
                var chunk = [UInt8](repeating: 0, count: 16384)
                let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                guard count > 0 else { return }
                buffer += chunk[0..<count]
            }
            buffer.removeFirst(headEnd + bodyLength)
            state.withLock { $0.requests.append(request) }

            let body = #"{"upstream":true}"#
            let close = request.header("connection")?.lowercased() == "close"
            let response =
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n"
                + (close ? "Connection: close\r\n" : "") + "\r\n" + body
            let bytes = Array(response.utf8)
            let sent = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard sent == bytes.count, !close else { return }
        }
    }

    /// The request whose head is complete at the start of `buffer`, its body's length and where
    /// its head ends; `nil` while the head is incomplete.
    private static func parseHead(_ buffer: [UInt8]) -> (TinyUpstream.Request, Int, Int)? {
        let marker: [UInt8] = [0x0D, 0x0A, 0x0D, 0x0A]
        guard buffer.count >= 4,
            let start = (0...(buffer.count - 4)).first(where: { Array(buffer[$0..<$0 + 4]) == marker })
        else { return nil }
        var lines = String(decoding: buffer[..<start], as: UTF8.self).components(separatedBy: "\r\n")
        let requestLine = lines.removeFirst().split(separator: " ")
        let headers = lines.map { line -> (name: String, value: String) in
            let colon = line.firstIndex(of: ":") ?? line.endIndex
            return (String(line[..<colon]), line[colon...].dropFirst().trimmingCharacters(in: .whitespaces))
        }
        let request = TinyUpstream.Request(
            method: requestLine.first.map(String.init) ?? "",
            target: requestLine.dropFirst().first.map(String.init) ?? "",
            headers: headers)
        return (request, Int(request.header("content-length") ?? "") ?? 0, start + 4)
    }
}
