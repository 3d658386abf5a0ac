import Foundation
import Glibc

/// A Redis server of one test's own, on a Unix socket, that the test may stop, pause and restart.
final class PrivateRedis {
    let socketPath: String
    private var process: Process?

    var url: String { "unix://" + socketPath }

    init(directory: String = TestEnvironment.temporaryDirectory()) throws {
        socketPath = directory + "/redis.sock"
        try start()
    }

    deinit {
        stop()
    }

    /// Starts an empty server (nothing is persisted between runs).
    func start() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/redis-server")
        process.arguments = [
            "--port", "0", "--unixsocket", socketPath, "--unixsocketperm", "700", "--save", "",
            "--appendonly", "no",
        ]
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        self.process = process
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if (try? runCommand("/usr/bin/redis-cli", ["-s", socketPath, "ping"]))?.stdout.contains("PONG") == true {
                return
            }
            usleep(20_000)
        }
        throw TestFailure("private redis-server did not start")
    }

    func stop() {
        guard let process, process.isRunning else { return }
        kill(process.processIdentifier, SIGCONT)
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        unlink(socketPath)
        self.process = nil
    }

    /// Freezes the server: connections stay open but nothing is answered.
    func pause() {
        if let process { kill(process.processIdentifier, SIGSTOP) }
    }

    func resume() {
        if let process { kill(process.processIdentifier, SIGCONT) }
    }

    func cli(_ arguments: [String]) throws -> String {
        try runCommand("/usr/bin/redis-cli", ["-s", socketPath] + arguments).stdout
    }
}
