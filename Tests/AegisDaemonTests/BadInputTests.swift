import AegisTestSupport
import Foundation
import Glibc
import Testing

/// Framing abuse, idle and slow clients, the connection cap, and random bytes at a live daemon.
@Suite struct BadInputTests {
    @Test func zeroAndOversizedLengthsGetAnErrorThenClose() throws {
        let db = try database()
        let daemon = try DaemonProcess(databaseURL: db.url, arguments: ["--max-frame-bytes", "1024"])

        let zero = try daemon.client()
        try zero.writeAll([0, 0, 0, 0])
        #expect(try zero.receive().reason == "bad_request")
        #expect(zero.isClosedByPeer())

        // A claimed 2 GiB frame: answered at once, nothing allocated for it.
        let huge = try daemon.client()
        try huge.writeAll([0x7F, 0xFF, 0xFF, 0xF0, 0x7B])
        #expect(try huge.receive().reason == "bad_request")
        #expect(huge.isClosedByPeer())

        let justOver = try daemon.client()
        try justOver.sendRaw(Array(("{\"api_key\":\"" + String(repeating: "k", count: 1100) + "\"}").utf8))
        #expect(try justOver.receive().reason == "bad_request")

        let longLine = try daemon.client(lineMode: true)
        try longLine.writeAll(Array(("{\"api_key\":\"" + String(repeating: "k", count: 2000)).utf8))
        #expect(try longLine.receive().reason == "bad_request")
        #expect(longLine.isClosedByPeer())
        #expect(daemon.isRunning)
    }

    @Test func idleAndSlowConnectionsTimeOut() throws {
        let db = try database()
        let daemon = try DaemonProcess(databaseURL: db.url, arguments: ["--idle-timeout", "1"])
        let idle = try daemon.client()
        let slow = try daemon.client()
        try slow.writeAll([0, 0, 0, 40, 0x7B])
        #expect(idle.isClosedByPeer(timeout: 4))
        #expect(slow.isClosedByPeer(timeout: 4))
    }

    @Test func connectionsBeyondTheCapAreRefused() throws {
        let db = try database()
        let daemon = try DaemonProcess(databaseURL: db.url, arguments: ["--max-connections", "4"])
        let kept = try (0..<4).map { _ in try daemon.client() }
        for client in kept { #expect(try client.check(["type": "health"])["message"] as? String == "hoho") }
        let refused = try daemon.client()
        #expect(refused.isClosedByPeer())
        #expect(try kept[0].check(["type": "health"])["message"] as? String == "hoho")
    }

    @Test func randomBytesNeverCrashTheDaemon() throws {
        let db = try database()
        let tenant = try db.tenant()
        let daemon = try DaemonProcess(databaseURL: db.url)
        var generator = SeededGenerator(seed: 0xAE61_5EED)
        for round in 0..<300 {
            let client = try daemon.client()
            var bytes = (0..<Int.random(in: 1...300, using: &generator)).map { _ in
                UInt8.random(in: 0...255, using: &generator)
            }
            if round % 3 == 0 { bytes[0] = UInt8(ascii: "{") }
            if round % 3 == 1 {
                bytes.replaceSubrange(
                    0..<min(4, bytes.count),
                    with: [0, 0, UInt8(bytes.count >> 8), UInt8(truncatingIfNeeded: bytes.count)])
            }
            try? client.writeAll(bytes)
        }
        #expect(daemon.isRunning)
        #expect(try daemon.client().check(["api_key": tenant.key]).reason == "ok")
    }

    @Test func lineModeWorksThroughSocat() throws {
        let db = try database()
        let tenant = try db.tenant()
        let daemon = try DaemonProcess(databaseURL: db.url)
        let script =
            "printf '%s\\n%s\\n' '{\"id\":1,\"api_key\":\"\(tenant.key)\"}' '{\"type\":\"health\"}'"
            + " | socat -t 2 - UNIX-CONNECT:\(daemon.socketPath)"
        let result = try runCommand("/bin/sh", ["-c", script])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.count == 2)
        let first = try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any]
        #expect(first?["reason"] as? String == "ok")
        #expect(first?["id"] as? Int == 1)
        #expect(lines.last?.contains("hoho") == true)
    }
}
