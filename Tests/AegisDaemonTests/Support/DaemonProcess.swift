import Foundation
import Glibc
import Testing

/// A real `aegisd` process with its own socket and spool, for one test.
final class DaemonProcess: @unchecked Sendable {
    let directory: String
    let socketPath: String
    let spoolDirectory: String
    let logPath: String
    private let process = Process()

    /// Starts `aegisd` and waits until its socket answers.
    init(
        databaseURL: String, redisURL: String = TestEnvironment.redisURL, arguments: [String] = [],
        environment: [String: String] = [:], directory: String? = nil
    ) throws {
        self.directory = directory ?? TestEnvironment.temporaryDirectory()
        socketPath = self.directory + "/aegis.sock"
        spoolDirectory = self.directory + "/spool"
        logPath = self.directory + "/aegisd.log"
        FileManager.default.createFile(atPath: logPath, contents: nil)
        process.executableURL = URL(fileURLWithPath: TestEnvironment.binary("aegisd"))
        let shipping = arguments.contains("--ship-interval-ms") ? [] : ["--ship-interval-ms", "100"]
        process.arguments =
            [
                "--socket", socketPath, "--spool-dir", spoolDirectory, "--database-url", databaseURL,
                "--redis-url", redisURL, "--log-level", "debug",
            ] + shipping + arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        process.standardError = log
        process.standardOutput = log
        try process.run()
        try waitForSocket()
    }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    var pid: Int32 { process.processIdentifier }
    var isRunning: Bool { process.isRunning }
    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// Sends SIGTERM and waits for the exit status.
    func terminate(timeout: Double = 20) throws -> Int32 {
        kill(process.processIdentifier, SIGTERM)
        return try waitForExit(timeout: timeout)
    }

    /// SIGKILL: no chance to flush anything.
    func killHard() throws {
        kill(process.processIdentifier, SIGKILL)
        _ = try waitForExit(timeout: 10)
    }

    func waitForExit(timeout: Double) throws -> Int32 {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning {
            guard Date() < deadline else { throw TestFailure("aegisd did not exit within \(timeout) s\n\(log)") }
            usleep(20_000)
        }
        return process.terminationStatus
    }

    func client(lineMode: Bool = false) throws -> ProtocolClient {
        try ProtocolClient(path: socketPath, lineMode: lineMode)
    }

    private func waitForSocket() throws {
        let deadline = Date().addingTimeInterval(15)
        while Date() < deadline {
            if !process.isRunning { throw TestFailure("aegisd exited at start:\n\(log)") }
            if let client = try? ProtocolClient(path: socketPath, lineMode: false),
                (try? client.check(["type": "health"])) != nil
            {
                return
            }
            usleep(20_000)
        }
        throw TestFailure("aegisd did not answer on \(socketPath)\n\(log)")
    }
}
