import Glibc

/// A process this program started, reaped exactly once, so a signal never reaches a recycled pid.
final class Child {
    let pid: pid_t
    private var status: Int32?

    /// Starts `command` (searched on PATH) with stdout and stderr appended to `output`.
    /// - Throws: ``BenchError`` when it cannot be started.
    init(spawning command: [String], output: String) throws(BenchError) {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)

        let arguments = command.map { strdup($0) } + [nil]
        defer { for argument in arguments { free(argument) } }
        var pid: pid_t = 0
        let result = arguments.withUnsafeBufferPointer { argv in
            posix_spawnp(&pid, command[0], &actions, nil, argv.baseAddress!, environ)
        }
        guard result == 0 else {
            throw BenchError("cannot start \(command[0]): \(String(cString: strerror(result)))")
        }
        self.pid = pid
    }

    /// The wait status once it has exited; nil while it runs.
    func exitStatus() -> Int32? {
        if status == nil {
            var raw: Int32 = 0
            if waitpid(pid, &raw, WNOHANG) == pid { status = raw }
        }
        return status
    }

    /// SIGTERM, then SIGKILL if it is still there after 15 s.
    func stop() {
        guard exitStatus() == nil else { return }
        kill(pid, SIGTERM)
        for _ in 0..<1500 {
            if exitStatus() != nil { return }
            usleep(10_000)
        }
        kill(pid, SIGKILL)
        var raw: Int32 = 0
        waitpid(pid, &raw, 0)
        status = raw
    }
}
