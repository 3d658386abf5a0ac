import Foundation
import Testing

/// A PostgreSQL database of its own for one test, migrated and filled through the real `aegis` CLI.
final class TestDatabase: Sendable {
    let name: String
    let url: String

    init() throws {
        name = "aegis_t_" + String(UInt64.random(in: 0...UInt64.max), radix: 36)
        let admin = TestEnvironment.databaseURL
        try Self.psql(admin, "CREATE DATABASE \(name)")
        url = Self.replacingDatabase(in: admin, with: name)
        try aegis(["migrate"])
    }

    deinit {
        _ = try? Self.psql(
            TestEnvironment.databaseURL,
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '\(name)'")
        _ = try? Self.psql(TestEnvironment.databaseURL, "DROP DATABASE IF EXISTS \(name)")
    }

    /// Runs `aegis` against this database and returns stdout; a non-zero exit is a test failure.
    @discardableResult
    func aegis(_ arguments: [String], extraEnvironment: [String: String] = [:]) throws -> String {
        let result = try runCommand(
            TestEnvironment.binary("aegis"), arguments,
            environment: ["DATABASE_URL": url].merging(extraEnvironment) { $1 })
        guard result.status == 0 else {
            throw TestFailure("aegis \(arguments.joined(separator: " ")) exited \(result.status): \(result.stderr)")
        }
        return result.stdout
    }

    /// Runs `aegis ... --json` and decodes the object it prints.
    func aegisJSON(_ arguments: [String]) throws -> [String: Any] {
        let text = try aegis(arguments + ["--json"])
        guard let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
            throw TestFailure("not a JSON object: \(text)")
        }
        return object
    }

    /// Creates a plan, a tenant on it and a key; returns the raw key and the ids.
    func tenant(
        burst: Int = 1_000, rpm: Int = 100_000, quota: Int64 = 10_000_000, enforcement: String = "hard"
    ) throws -> (key: String, tenantID: String, keyID: String, planID: String) {
        let suffix = String(UInt64.random(in: 0...UInt64.max), radix: 36)
        let plan = try aegisJSON([
            "plan", "create", "--name", "p-\(suffix)", "--burst-rps", String(burst), "--rpm", String(rpm),
            "--monthly-quota", String(quota), "--enforcement", enforcement,
        ])
        let planID = try #require(plan["id"] as? String)
        let tenant = try aegisJSON(["tenant", "create", "--name", "t-\(suffix)", "--plan", planID])
        let tenantID = try #require(tenant["id"] as? String)
        let key = try aegisJSON(["key", "create", "--tenant", tenantID])
        return (try #require(key["key"] as? String), tenantID, try #require(key["id"] as? String), planID)
    }

    /// Runs one SQL statement and returns its rows as tab-separated text.
    func query(_ sql: String) throws -> [[String]] {
        try Self.psql(url, sql).split(separator: "\n").map {
            $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
        }
    }

    @discardableResult
    static func psql(_ url: String, _ sql: String) throws -> String {
        let result = try runCommand(
            "/usr/bin/psql", [url, "-X", "-q", "-A", "-t", "-F", "\t", "-v", "ON_ERROR_STOP=1", "-c", sql])
        guard result.status == 0 else { throw TestFailure("psql failed: \(result.stderr)") }
        return result.stdout
    }

    private static func replacingDatabase(in url: String, with name: String) -> String {
        var components = URLComponents(string: url)!
        components.path = "/" + name
        return components.string!
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
