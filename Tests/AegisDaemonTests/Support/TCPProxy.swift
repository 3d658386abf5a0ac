import Foundation
import Glibc
import Synchronization

/// A loopback TCP forwarder the test can cut and restore, to take PostgreSQL away from a daemon
/// without stopping the shared server.
final class TCPProxy: Sendable {
    let port: UInt16
    private let targetPort: UInt16
    private let listener: Int32
    private let state = Mutex<(open: Bool, sockets: [Int32])>((true, []))

    init(targetPort: UInt16) throws {
        self.targetPort = targetPort
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var one: Int32 = 1
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = Self.loopback(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, listen(listener, 64) == 0 else { throw TestFailure("proxy bind failed") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { _ = getsockname(listener, $0, &length) }
        }
        port = UInt16(bigEndian: address.sin_port)
        self.listener = listener
        Thread.detachNewThread { [self] in acceptLoop() }
    }

    deinit {
        close(listener)
    }

    /// A proxy in front of the PostgreSQL server of `url`, and the same URL pointed at the proxy.
    static func inFront(ofDatabase url: String) throws -> (TCPProxy, String) {
        guard var components = URLComponents(string: url) else { throw TestFailure("cannot parse \(url)") }
        let proxy = try TCPProxy(targetPort: UInt16(components.port ?? 5432))
        components.host = "127.0.0.1"
        components.port = Int(proxy.port)
        guard let proxied = components.string else { throw TestFailure("cannot rebuild \(url)") }
        return (proxy, proxied)
    }

    /// Drops every forwarded connection and refuses new ones (they are closed at once).
    func cut() {
        let sockets = state.withLock { state in
            state.open = false
            defer { state.sockets = [] }
            return state.sockets
        }
        for fd in sockets { shutdown(fd, Int32(SHUT_RDWR)) }
    }

    func restore() {
        state.withLock { $0.open = true }
    }

    private func acceptLoop() {
        while true {
            let client = accept(listener, nil, nil)
            guard client >= 0 else { return }
            guard state.withLock({ $0.open }) else {
                close(client)
                continue
            }
            let upstream = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = Self.loopback(port: targetPort)
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(upstream, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            guard connected == 0 else {
                close(client)
                close(upstream)
                continue
            }
            state.withLock { $0.sockets += [client, upstream] }
            Thread.detachNewThread { Self.pump(from: client, to: upstream) }
            Thread.detachNewThread { Self.pump(from: upstream, to: client) }
        }
    }

    private static func pump(from source: Int32, to destination: Int32) {
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(source, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { break }
            let sent = buffer.withUnsafeBytes { send(destination, $0.baseAddress, count, Int32(MSG_NOSIGNAL)) }
            guard sent == count else { break }
        }
        shutdown(source, Int32(SHUT_RDWR))
        shutdown(destination, Int32(SHUT_RDWR))
    }

    private static func loopback(port: UInt16) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        return address
    }
}
