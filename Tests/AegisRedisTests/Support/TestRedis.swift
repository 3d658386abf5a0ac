import AegisRedis
import Foundation

/// The shared test server from `AEGIS_TEST_REDIS_URL`; tests fail, not skip, when it is missing.
enum TestRedis {
    struct MissingServer: Error, CustomStringConvertible {
        var description: String {
            "AEGIS_TEST_REDIS_URL is not set: point it at a Redis 7 server, e.g. redis://127.0.0.1:6390 "
                + "(deploy/test sets it)"
        }
    }

    static func url() throws -> String {
        guard let url = ProcessInfo.processInfo.environment["AEGIS_TEST_REDIS_URL"], !url.isEmpty else {
            throw MissingServer()
        }
        return url
    }

    static func endpoint() throws -> RedisEndpoint {
        try RedisEndpoint(url: url())
    }

    static func client(timeout: Duration = .seconds(5)) throws -> RedisClient {
        try RedisClient(endpoint: endpoint(), timeout: timeout)
    }

    /// A name no other test (or earlier run) uses, so tests never touch each other's keys.
    static func unique(_ prefix: String) -> String {
        "\(prefix)-\(UUID().uuidString.lowercased())"
    }
}
