import Testing

@testable import AegisRedis

@Suite struct RedisEndpointTests {
    struct Valid: Sendable, CustomTestStringConvertible {
        var url: String
        var expected: RedisEndpoint
        var testDescription: String { url }
    }

    static let valid: [Valid] = [
        Valid(url: "redis://127.0.0.1", expected: RedisEndpoint(address: .tcp(host: "127.0.0.1", port: 6379))),
        Valid(url: "redis://localhost:6390", expected: RedisEndpoint(address: .tcp(host: "localhost", port: 6390))),
        Valid(url: "REDIS://cache:1/", expected: RedisEndpoint(address: .tcp(host: "cache", port: 1))),
        Valid(url: "redis://cache/15", expected: RedisEndpoint(address: .tcp(host: "cache", port: 6379), database: 15)),
        Valid(
            url: "redis://[::1]:7000/2", expected: RedisEndpoint(address: .tcp(host: "::1", port: 7000), database: 2)),
        Valid(url: "redis://[::1]", expected: RedisEndpoint(address: .tcp(host: "::1", port: 6379))),
        Valid(
            url: "redis://:s3cret@cache:6380/1",
            expected: RedisEndpoint(address: .tcp(host: "cache", port: 6380), password: "s3cret", database: 1)),
        Valid(
            url: "redis://app:p%40ss%3Aw0rd@cache",
            expected: RedisEndpoint(address: .tcp(host: "cache", port: 6379), username: "app", password: "p@ss:w0rd")),
        Valid(url: "unix:///run/redis.sock", expected: RedisEndpoint(address: .unix(path: "/run/redis.sock"))),
        Valid(
            url: "unix:///run/redis.sock?db=3",
            expected: RedisEndpoint(address: .unix(path: "/run/redis.sock"), database: 3)),
        Valid(
            url: "unix://app:pw@/var/run/redis%20x.sock?db=1",
            expected: RedisEndpoint(
                address: .unix(path: "/var/run/redis x.sock"), username: "app", password: "pw", database: 1)),
    ]

    @Test(arguments: valid)
    func parses(_ valid: Valid) throws {
        #expect(try RedisEndpoint(url: valid.url) == valid.expected)
    }

    @Test(arguments: [
        ("", "expected redis://"),
        ("127.0.0.1:6379", "expected redis://"),
        ("http://cache", "unsupported scheme 'http'"),
        ("rediss://cache", "TLS"),
        ("redis://", "missing host"),
        ("redis://:6379", "missing host"),
        ("redis://cache:", "port"),
        ("redis://cache:0", "port"),
        ("redis://cache:65536", "port"),
        ("redis://cache:-1", "port"),
        ("redis://cache:63 79", "port"),
        ("redis://cache/x", "database"),
        ("redis://cache/-1", "database"),
        ("redis://cache/99999999999", "database"),
        ("redis://cache?db=1", "no query"),
        ("redis://[::1", "unterminated"),
        ("redis://[::1]x", "after the IPv6"),
        ("redis://userNoColon@cache", "user:password@"),
        ("redis://app:@cache", "empty password"),
        ("redis://app:%zz@cache", "percent-encoding"),
        ("unix://", "absolute socket path"),
        ("unix://relative.sock", "absolute socket path"),
        ("unix:///run/redis.sock?database=1", "unknown option 'database'"),
        ("unix:///run/redis.sock?db=x", "database"),
        ("unix:///" + String(repeating: "a", count: 120), "longer than 107"),
    ])
    func rejects(url: String, reason: String) {
        let error = #expect(throws: RedisError.self) { try RedisEndpoint(url: url) }
        #expect(error?.code == .invalidURL)
        #expect(error?.message.contains(reason) == true, "\(error?.message ?? "")")
    }

    @Test func neverShowsThePassword() throws {
        for url in ["redis://app:hunter2@cache:6380/4", "redis://:hunter2@cache", "unix://:hunter2@/run/r.sock?db=2"] {
            let endpoint = try RedisEndpoint(url: url)
            #expect(!endpoint.description.contains("hunter2"))
            #expect(!String(reflecting: endpoint.description).contains("hunter2"))
        }
        #expect(
            try RedisEndpoint(url: "redis://app:hunter2@cache:6380/4").description == "redis://app:***@cache:6380/4")
        #expect(
            try RedisEndpoint(url: "unix://:hunter2@/run/r.sock?db=2").description == "unix://:***@/run/r.sock?db=2")
        #expect(try RedisEndpoint(url: "redis://[::1]:7000").description == "redis://[::1]:7000")
    }

    @Test func errorsNeverEchoThePassword() {
        for url in ["redis://app:hunter2@cache:99999", "redis://:hunter2@cache/x", "rediss://:hunter2@cache"] {
            let error = #expect(throws: RedisError.self) { try RedisEndpoint(url: url) }
            #expect(error.map { !$0.description.contains("hunter2") } == true)
        }
    }

    @Test func handshakeAuthenticatesThenSelects() throws {
        var buffer: [UInt8] = []
        let count = try RedisEndpoint(url: "redis://app:pw@cache/3").appendHandshake(to: &buffer)
        #expect(count == 2)
        #expect(
            String(decoding: buffer, as: UTF8.self)
                == "*3\r\n$4\r\nAUTH\r\n$3\r\napp\r\n$2\r\npw\r\n*2\r\n$6\r\nSELECT\r\n$1\r\n3\r\n")

        buffer = []
        #expect(try RedisEndpoint(url: "redis://:pw@cache").appendHandshake(to: &buffer) == 1)
        #expect(String(decoding: buffer, as: UTF8.self) == "*2\r\n$4\r\nAUTH\r\n$2\r\npw\r\n")

        buffer = []
        #expect(try RedisEndpoint(url: "redis://cache").appendHandshake(to: &buffer) == 0)
        #expect(buffer.isEmpty)
    }

    @Test func handshakeRepliesOtherThanOKFail() throws {
        try RedisEndpoint.checkHandshakeReply(.status("OK"))
        let refused = #expect(throws: RedisError.self) {
            try RedisEndpoint.checkHandshakeReply(.error("WRONGPASS invalid username-password pair"))
        }
        #expect(refused?.code == .server)
        let odd = #expect(throws: RedisError.self) { try RedisEndpoint.checkHandshakeReply(.integer(1)) }
        #expect(odd?.code == .unexpectedReply)
    }
}
