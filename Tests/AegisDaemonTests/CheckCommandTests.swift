import Foundation
import Testing

/// `aegis check` and `aegis health` against a running daemon.
@Suite struct CheckCommandTests {
    private func aegis(_ arguments: [String], socket: String) throws -> CommandResult {
        try runCommand(TestEnvironment.binary("aegis"), arguments, environment: ["AEGIS_SOCKET": socket])
    }

    @Test func checkExitsZeroWhenAllowedOneWhenDeniedTwoWhenUnreachable() throws {
        let db = try database()
        let tenant = try db.tenant(burst: 1)
        let daemon = try DaemonProcess(databaseURL: db.url)

        let allowed = try aegis(["check", "--key", tenant.key, "--path", "/orders"], socket: daemon.socketPath)
        #expect(allowed.status == 0)
        #expect(allowed.stdout.contains("allowed: ok (200)"))
        #expect(allowed.stdout.contains("X-RateLimit-Limit:"))

        let denied = try aegis(["check", "--key", tenant.key, "--json"], socket: daemon.socketPath)
        #expect(denied.status == 1)
        let reply = try JSONSerialization.jsonObject(with: Data(denied.stdout.utf8)) as? [String: Any]
        #expect(reply?["reason"] as? String == "burst_exceeded")

        let invalid = try aegis(["check", "--key", "ak_nobody"], socket: daemon.socketPath)
        #expect(invalid.status == 1)
        #expect(invalid.stdout.contains("denied: invalid_key (401)"))

        let unreachable = try aegis(["check", "--key", tenant.key], socket: daemon.directory + "/none.sock")
        #expect(unreachable.status == 2)
        #expect(unreachable.stderr.contains("cannot reach aegisd"))

        let badCost = try aegis(["check", "--key", tenant.key, "--cost", "0"], socket: daemon.socketPath)
        #expect(badCost.status == 2)
        #expect(try aegis(["check"], socket: daemon.socketPath).stderr.contains("missing --key"))
    }

    @Test func healthReportsTheDaemonAndItsDependencies() throws {
        let db = try database()
        let daemon = try DaemonProcess(databaseURL: db.url)
        let health = try aegis(["health"], socket: daemon.socketPath)
        #expect(health.status == 0)
        #expect(health.stdout.contains("aegisd: up"))
        #expect(health.stdout.contains("redis: up"))
        #expect(health.stdout.contains("postgres: up"))
        #expect(try aegis(["health"], socket: daemon.directory + "/none.sock").status == 2)
    }
}
