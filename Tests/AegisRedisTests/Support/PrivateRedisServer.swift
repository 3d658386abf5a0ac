import AegisRedis
import Foundation

/// A redis-server of the test's own, on a Unix socket in a temporary directory, for what must not
/// touch the shared server (a password, `SCRIPT FLUSH`). Stopped by ``stop()`` or when released.
final class PrivateRedisServer {
    let directory: URL
    let socketPath: String
    private let process = Process()

    struct StartFailure: Error, CustomStringConvertible {
        var description: String
    }

    init(password: String? = nil) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent(TestRedis.unique("aegis-redis"))
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        socketPath = directory.appendingPathComponent("redis.sock").path

        guard let binary = Self.findServerBinary() else {
            throw StartFailure(description: "redis-server not found on PATH, /usr/bin or /usr/local/bin")
        }
        var arguments = [
            "--port", "0", "--unixsocket", socketPath, "--unixsocketperm", "700", "--dir", directory.path,
            "--save", "", "--appendonly", "no", "--daemonize", "no", "--logfile", "",
        ]
        if let password {
            arguments += ["--requirepass", password]
        }
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()

        // The socket file appears at bind, a moment before the server listens: wait for a
        // connection to be accepted, not for the file.
        let deadline = Date().addingTimeInterval(10)
        while !acceptsConnections(password: password) {
            guard process.isRunning, Date() < deadline else {
                stop()
                throw StartFailure(description: "redis-server did not accept connections on \(socketPath) within 10 s")
            }
            usleep(20_000)
        }
    }

    private func acceptsConnections(password: String?) -> Bool {
        guard FileManager.default.fileExists(atPath: socketPath) else { return false }
        return (try? RedisClient(url: url(password: password))) != nil
    }

    deinit {
        stop()
    }

    func url(password: String? = nil, database: Int = 0) -> String {
        let credentials = password.map { ":\($0)@" } ?? ""
        return "unix://\(credentials)\(socketPath)" + (database == 0 ? "" : "?db=\(database)")
    }

    func stop() {
        if process.isRunning {
            // Not SIGTERM: the child inherits the test runner's blocked-signal mask through
            // Process, so SIGTERM would stay pending forever. Its data is thrown away anyway.
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: directory)
    }

    private static func findServerBinary() -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let candidates =
            path.split(separator: ":").map { "\($0)/redis-server" } + [
                "/usr/bin/redis-server", "/usr/local/bin/redis-server",
            ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}
