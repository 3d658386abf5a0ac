import Foundation
import Glibc

/// Debian's nginx running the shipped configuration from `deploy/nginx/`, rendered by
/// `deploy/nginx/render` for one test: its own prefix directory, a free loopback port, the
/// daemon's bridge socket and the test's upstream.
final class NginxProcess {
    let prefix: String
    let port: UInt16
    private let directory: String
    private let process: Process

    /// Renders the configuration, starts nginx in the foreground and waits until it accepts.
    /// - Parameters:
    ///   - bridgeSocket: The Unix socket of `aegisd --http unix:PATH`.
    ///   - upstreamPort: The loopback port of the application.
    /// - Throws: When `AEGIS_TEST_NGINX` is not set, the render fails, or nginx does not start.
    init(bridgeSocket: String, upstreamPort: UInt16) throws {
        guard let nginx = ProcessInfo.processInfo.environment["AEGIS_TEST_NGINX"], !nginx.isEmpty else {
            throw TestFailure("AEGIS_TEST_NGINX is not set: run the tests through deploy/test, which installs nginx")
        }
        directory = TestEnvironment.temporaryDirectory()
        prefix = directory + "/nginx"
        var lastError = ""
        // The port is free when picked but may be taken before nginx binds it; pick again then.
        for _ in 0..<3 {
            let port = try freeLoopbackPort()
            let render = try runCommand(
                repositoryRoot.appendingPathComponent("deploy/nginx/render").path,
                [
                    "--prefix", prefix, "--socket", bridgeSocket, "--upstream", "127.0.0.1:\(upstreamPort)",
                    "--listen", "127.0.0.1:\(port)",
                ])
            guard render.status == 0 else { throw TestFailure("deploy/nginx/render failed: \(render.stderr)") }

            // Workers run as the user the config names (the render's default is the current user),
            // so when the tests run as root they can still write to the root-owned bridge socket.
            let process = Process()
            process.executableURL = URL(fileURLWithPath: nginx)
            // -e: nginx opens its compiled-in error log before reading the config; keep it here too.
            process.arguments = [
                "-p", prefix, "-c", prefix + "/nginx.conf", "-e", prefix + "/logs/error.log", "-g", "daemon off;",
            ]
            let output = prefix + "/logs/stderr.log"
            FileManager.default.createFile(atPath: output, contents: nil)
            let log = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
            process.standardOutput = log
            process.standardError = log
            try process.run()
            if try Self.waitUntilListening(process, port: port) {
                self.port = port
                self.process = process
                return
            }
            process.waitUntilExit()
            lastError = Self.read(output) + Self.read(prefix + "/logs/error.log")
            guard lastError.contains("Address already in use") else { break }
        }
        throw TestFailure("nginx did not start:\n\(lastError)")
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// nginx's error log, for failure messages.
    var errorLog: String { Self.read(prefix + "/logs/error.log") }

    /// A fresh keep-alive connection to nginx's listener.
    func client() throws -> HTTPClient {
        try HTTPClient(.tcp(port: port))
    }

    /// Stops nginx quickly (SIGTERM: the master stops its workers), SIGKILL if it lingers.
    func stop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGTERM)
        let deadline = Date().addingTimeInterval(5)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    /// `true` once the port accepts, `false` if nginx exited first.
    private static func waitUntilListening(_ process: Process, port: UInt16) throws -> Bool {
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if !process.isRunning { return false }
            if (try? HTTPClient(.tcp(port: port))) != nil { return true }
            usleep(20_000)
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        throw TestFailure("nginx did not listen on 127.0.0.1:\(port) within 10 s")
    }

    private static func read(_ path: String) -> String {
        (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
    }
}
