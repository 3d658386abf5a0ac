import Foundation
import Testing

/// The servers and binaries the test command provides.
enum TestEnvironment {
    static var redisURL: String { required("AEGIS_TEST_REDIS_URL") }
    static var databaseURL: String { required("AEGIS_TEST_DATABASE_URL") }

    /// Where `aegisd` and `aegis` were built: beside the test runner, unless `AEGIS_TEST_BIN_DIR` says.
    static var binDirectory: URL {
        if let dir = ProcessInfo.processInfo.environment["AEGIS_TEST_BIN_DIR"] {
            return URL(fileURLWithPath: dir)
        }
        var url = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: url.appendingPathComponent("aegisd").path),
            url.pathComponents.count > 1
        {
            url.deleteLastPathComponent()
        }
        return url
    }

    static func binary(_ name: String) -> String {
        binDirectory.appendingPathComponent(name).path
    }

    /// A fresh directory, short enough for a Unix socket path. Under `TMPDIR` when set (deploy/test
    /// points it into its scratch directory, which it removes at the end), otherwise under /tmp.
    static func temporaryDirectory() -> String {
        let parent = ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        let path = parent + "/aegis-t-" + String(UInt32.random(in: 0...UInt32.max), radix: 36)
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func required(_ name: String) -> String {
        guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else {
            Issue.record("\(name) is not set: run the tests through deploy/test, which starts the servers")
            return "unset://\(name)"
        }
        return value
    }
}

/// Runs a command to completion and captures its output.
struct CommandResult {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// Runs a command to completion. Output goes through files, not pipes: Foundation's pipe reading
/// traps on EINTR, which the SIGCHLDs of the many processes these tests start can cause.
func runCommand(_ path: String, _ arguments: [String], environment: [String: String] = [:]) throws -> CommandResult {
    let directory = TestEnvironment.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let outPath = directory + "/stdout"
    let errPath = directory + "/stderr"
    FileManager.default.createFile(atPath: outPath, contents: nil)
    FileManager.default.createFile(atPath: errPath, contents: nil)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
    process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
    process.standardInput = FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()
    return CommandResult(
        status: process.terminationStatus,
        stdout: (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "",
        stderr: (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "")
}
