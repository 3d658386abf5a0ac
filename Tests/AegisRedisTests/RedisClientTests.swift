import AegisTestSupport
import Foundation
import Testing

@testable import AegisRedis

@Suite struct RedisClientTests {
    @Test func pingsAndStoresBinarySafeValues() throws {
        let client = try TestRedis.client()
        #expect(try client.command(["PING"]) == .status("PONG"))

        let key = TestRedis.unique("aegis-test:binary")
        var encoded: [UInt8] = []
        let value: [UInt8] = [0, 13, 10, 36, 42, 255]
        RESPWriter.appendArrayHeader(count: 5, to: &encoded)
        RESPWriter.appendBulk("SET", to: &encoded)
        RESPWriter.appendBulk(key, to: &encoded)
        RESPWriter.appendBulk(value, to: &encoded)
        RESPWriter.appendBulk("PX", to: &encoded)
        RESPWriter.appendBulk(60_000, to: &encoded)
        RESPWriter.appendCommand(["GET", key], to: &encoded)
        RESPWriter.appendCommand(["DEL", key], to: &encoded)
        #expect(try client.send(encoded: encoded, replyCount: 3) == [.status("OK"), .bulk(value), .integer(1)])
    }

    @Test func pipelinesRepliesInOrder() throws {
        let client = try TestRedis.client()
        let key = TestRedis.unique("aegis-test:counter")
        let commands = (0..<500).map { _ in ["INCR", key] } + [["DEL", key]]
        let replies = try client.pipeline(commands)
        #expect(replies == (1...500).map { RedisReply.integer(Int64($0)) } + [.integer(1)])
    }

    @Test func returnsErrorRepliesAsValues() throws {
        let client = try TestRedis.client()
        let key = TestRedis.unique("aegis-test:list")
        let replies = try client.pipeline([["LPUSH", key, "x"], ["INCR", key], ["DEL", key], ["NOSUCHCOMMAND"]])
        #expect(replies[0] == .integer(1))
        guard case .error(let message) = replies[1] else {
            Issue.record("expected an error reply, got \(replies[1])")
            return
        }
        #expect(message.hasPrefix("WRONGTYPE"))
        #expect(replies[2] == .integer(1))
        #expect(replies[3].string == nil)
        #expect(client.isOpen)
    }

    @Test func largeRepliesArriveWhole() throws {
        let client = try TestRedis.client()
        let key = TestRedis.unique("aegis-test:large")
        let value = String(repeating: "0123456789", count: 100_000)
        let replies = try client.pipeline([["SET", key, value, "PX", "60000"], ["GET", key], ["DEL", key]])
        #expect(replies == [.status("OK"), .bulk(value), .integer(1)])
    }

    @Test func logsInAsAnACLUser() throws {
        let admin = try TestRedis.client()
        let user = TestRedis.unique("aegis-test-user")
        let password = "pw-\(UUID().uuidString)"
        #expect(try admin.command(["ACL", "SETUSER", user, "on", ">\(password)", "~*", "+@all"]) == .status("OK"))
        defer { _ = try? admin.command(["ACL", "DELUSER", user]) }

        guard case .tcp(let host, let port) = try TestRedis.endpoint().address else {
            Issue.record("AEGIS_TEST_REDIS_URL must be a redis:// URL")
            return
        }
        let endpoint = RedisEndpoint(address: .tcp(host: host, port: port), username: user, password: password)
        let client = try RedisClient(endpoint: endpoint)
        #expect(try client.command(["ACL", "WHOAMI"]) == .bulk(user))

        var wrong = endpoint
        wrong.password = "not-the-password"
        let error = #expect(throws: RedisError.self) { try RedisClient(endpoint: wrong) }
        #expect(error?.code == .server)
        #expect(error.map { !$0.description.contains("not-the-password") } == true)
    }

    @Test func selectsTheDatabaseFromTheURL() throws {
        var endpoint = try TestRedis.endpoint()
        endpoint.database = 1
        let client = try RedisClient(endpoint: endpoint)
        let key = TestRedis.unique("aegis-test:db")
        _ = try client.command(["SET", key, "one", "PX", "60000"])
        #expect(try TestRedis.client().command(["EXISTS", key]) == .integer(0))
        #expect(try client.command(["DEL", key]) == .integer(1))
    }

    @Test func reachesAServerOnAUnixSocketWithPasswordAndDatabase() throws {
        let server = try PrivateRedisServer(password: "unix-secret")
        defer { server.stop() }
        let client = try RedisClient(url: server.url(password: "unix-secret", database: 2))
        #expect(try client.command(["SET", "k", "v"]) == .status("OK"))
        #expect(try client.command(["CLIENT", "INFO"]).string?.contains(" db=2 ") == true)

        let refused = #expect(throws: RedisError.self) { try RedisClient(url: server.url(password: "wrong")) }
        #expect(refused?.code == .server)
        let anonymous = try RedisClient(url: server.url())
        guard case .error(let message) = try anonymous.command(["GET", "k"]) else {
            Issue.record("a client without the password must be refused")
            return
        }
        #expect(message.hasPrefix("NOAUTH"))
    }

    @Test func refusedConnectionsFailQuickly() throws {
        let listener = try SilentListener()
        let port = listener.port
        listener.close()
        let started = ContinuousClock.now
        let error = #expect(throws: RedisError.self) {
            try RedisClient(endpoint: RedisEndpoint(address: .tcp(host: "127.0.0.1", port: Int(port))))
        }
        #expect(error?.code == .connect)
        #expect(error?.errno == ECONNREFUSED)
        #expect(ContinuousClock.now - started < .seconds(1))

        let missing = #expect(throws: RedisError.self) { try RedisClient(url: "unix:///nonexistent/aegis.sock") }
        #expect(missing?.code == .connect)
        let unknownHost = #expect(throws: RedisError.self) { try RedisClient(url: "redis://no-such-host.invalid") }
        #expect(unknownHost?.code == .connect)
    }

    @Test func aSilentServerTimesOutAndTheConnectionCloses() throws {
        // The kernel completes the handshake from the backlog; nobody ever answers.
        let listener = try SilentListener()
        let client = try RedisClient(
            endpoint: RedisEndpoint(address: .tcp(host: "127.0.0.1", port: Int(listener.port))),
            timeout: .milliseconds(200))
        let started = ContinuousClock.now
        let error = #expect(throws: RedisError.self) { _ = try client.command(["PING"]) }
        let waited = ContinuousClock.now - started
        #expect(error?.code == .timeout)
        #expect(waited >= .milliseconds(200) && waited < .seconds(1))
        #expect(!client.isOpen)
        let closed = #expect(throws: RedisError.self) { _ = try client.command(["PING"]) }
        #expect(closed?.code == .closed)
    }

    /// The steps an event loop takes: start a non-blocking connect, wait for writability, finish,
    /// then write with `RESPWriter` and parse with `RedisReplyReader`.
    @Test func nonBlockingConnectAndCodecWorkTogether() throws {
        let endpoint = try TestRedis.endpoint()
        let addresses = try RedisSocket.resolve(endpoint)
        #expect(!addresses.isEmpty)
        var (fd, connected) = (Int32(-1), false)
        for address in addresses {
            if let started = try? RedisSocket.beginConnect(to: address) {
                (fd, connected) = started
                break
            }
        }
        #expect(fd >= 0)
        defer { close(fd) }
        #expect(fcntl(fd, F_GETFL) & O_NONBLOCK != 0)
        if !connected {
            var descriptor = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
            #expect(poll(&descriptor, 1, 2000) == 1)
            try RedisSocket.finishConnect(fd)
        }

        var output: [UInt8] = []
        for index in 0..<50 {
            RESPWriter.appendCommand(["ECHO", "message \(index)"], to: &output)
        }
        #expect(output.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } == output.count)

        let reader = try RedisReplyReader()
        var replies: [RedisReply] = []
        var buffer = [UInt8](repeating: 0, count: 64)
        while replies.count < 50 {
            var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            #expect(poll(&descriptor, 1, 2000) == 1)
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            #expect(count > 0)
            try reader.feed(Array(buffer[0..<max(count, 0)]))
            while let reply = try reader.next() {
                replies.append(reply)
            }
        }
        #expect(replies == (0..<50).map { .bulk("message \($0)") })
    }
}
