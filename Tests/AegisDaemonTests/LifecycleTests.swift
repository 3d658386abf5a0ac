import Foundation
import Glibc
import Testing

/// Start-up, the socket file, configuration errors and shutdown.
@Suite struct LifecycleTests {
    @Test func socketGetsItsModeAndALiveDaemonKeepsItsPath() throws {
        let db = try database()
        let daemon = try DaemonProcess(databaseURL: db.url, arguments: ["--socket-mode", "0660"])
        var info = stat()
        #expect(stat(daemon.socketPath, &info) == 0)
        #expect(info.st_mode & 0o777 == 0o660)

        let second = try runCommand(
            TestEnvironment.binary("aegisd"),
            [
                "--socket", daemon.socketPath, "--spool-dir", daemon.directory + "/spool2", "--database-url", db.url,
                "--redis-url", TestEnvironment.redisURL,
            ])
        #expect(second.status != 0)
        #expect(second.stderr.contains("another aegisd is listening"))
        #expect(try daemon.client().check(["type": "health"])["message"] as? String == "hoho")
    }

    @Test func staleSocketFileIsReplaced() throws {
        let db = try database()
        let directory = TestEnvironment.temporaryDirectory()
        let first = try DaemonProcess(databaseURL: db.url, directory: directory)
        try first.killHard()
        #expect(FileManager.default.fileExists(atPath: first.socketPath))

        let second = try DaemonProcess(databaseURL: db.url, directory: directory)
        #expect(try second.client().check(["type": "health"])["message"] as? String == "hoho")
    }

    @Test func helpListsEveryOptionAndBadFlagsFail() throws {
        let help = try runCommand(TestEnvironment.binary("aegisd"), ["--help"])
        #expect(help.status == 0)
        for option in [
            "--socket", "--http", "--fail-mode", "--redis-url", "--database-url", "AEGIS_FAIL_MODE",
            "--max-frame-bytes", "--spool-dir", "AEGIS_LOG_LEVEL",
        ] {
            #expect(help.stdout.contains(option), "help lacks \(option)")
        }
        let bad = try runCommand(TestEnvironment.binary("aegisd"), ["--fail-mode", "sideways"])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("--fail-mode must be 'open' or 'closed'"))
        let badEnvironment = try runCommand(TestEnvironment.binary("aegisd"), [], environment: ["AEGIS_FAIL_MODE": "x"])
        #expect(badEnvironment.status == 2)
        #expect(badEnvironment.stderr.contains("AEGIS_FAIL_MODE"))
    }

    @Test func sigtermAnswersWhatIsInFlight() throws {
        let db = try database()
        let tenant = try db.tenant()
        let daemon = try DaemonProcess(databaseURL: db.url)
        let client = try daemon.client()
        for _ in 0..<500 { try client.send(["api_key": tenant.key]) }
        kill(daemon.pid, SIGTERM)
        var answered = 0
        while let reply = try? client.receive(), reply.reason == "ok" { answered += 1 }
        #expect(try daemon.waitForExit(timeout: 20) == 0)
        // Requests already read are answered; the rest may be refused by the closing socket.
        #expect(answered > 0)
        #expect(daemon.log.contains("aegisd stopped"))
    }

    @Test func logsNeverContainARawKey() throws {
        let db = try database()
        let tenant = try db.tenant(burst: 1)
        let daemon = try DaemonProcess(databaseURL: db.url)
        let client = try daemon.client()
        for _ in 0..<3 { _ = try client.check(["api_key": tenant.key]) }
        _ = try client.check(["api_key": "ak_not_a_real_key_but_secret"])
        #expect(try daemon.terminate() == 0)
        #expect(!daemon.log.contains(tenant.key))
        #expect(!daemon.log.contains("ak_not_a_real_key_but_secret"))
        let spool = try FileManager.default.contentsOfDirectory(atPath: daemon.spoolDirectory)
            .map { (try? String(contentsOfFile: daemon.spoolDirectory + "/" + $0, encoding: .utf8)) ?? "" }
            .joined()
        #expect(!spool.contains(tenant.key))
    }
}
