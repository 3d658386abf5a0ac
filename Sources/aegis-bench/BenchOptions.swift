import AegisCore

/// What went wrong, in words for the person running the benchmark.
struct BenchError: Error, CustomStringConvertible {
    var message: String

    init(_ message: String) {
        self.message = message
    }

    var description: String { message }
}

/// The command line of `aegis-bench`.
struct BenchOptions {
    enum Stop {
        case count(Int)
        case duration(seconds: Double)
    }

    var socketPath = ""
    var keysPath = ""
    var connections = 32
    var pipeline = 1
    var stop = Stop.duration(seconds: 5)
    var warmupSeconds = 1.0
    var pid: Int32?
    var json = false
    /// Whatever happens, the run ends after this long.
    var timeLimitSeconds = 600.0
    var path = "/bench"
    /// `--cold-start`: the daemon command line to start and time instead of a load run.
    var coldStartCommand: [String]?
    var daemonLogPath = "/dev/null"

    static let options: [Arguments.Option] = [
        .value("socket", "PATH", help: "aegisd's Unix socket (default: $AEGIS_SOCKET)"),
        .value("keys", "FILE", help: "raw API keys, one a line; requests go round them in turn"),
        .value("connections", "C", help: "connections, 1 to 1024 (default 32)"),
        .value("pipeline", "P", help: "requests in flight per connection, 1 to 1024 (default 1)"),
        .value("count", "N", help: "measure N checks (at most 1,000,000,000)"),
        .value("duration", "S", help: "measure for S seconds, up to 3600 (default 5)"),
        .value("warmup", "S", help: "seconds of load before measuring, up to 600 (default 1)"),
        .value("pid", "PID", help: "aegisd's process id, to report its CPU time per check and memory"),
        .value("time-limit", "S", help: "stop with an error after S seconds in all (default 600)"),
        .value("path", "PATH", help: "request path sent with each check (default /bench)"),
        .flag("json", help: "print the figures as one JSON object"),
        .flag("cold-start", help: "start the command after --, time it to the first answered check"),
        .value("daemon-log", "FILE", help: "with --cold-start: where the daemon's output goes (default /dev/null)"),
        .flag("help", short: "h", help: "show this text"),
    ]

    static let usage = """
        aegis-bench: drives aegisd's socket with pipelined checks and reports throughput, latency,
        the share of each reason and aegisd's CPU time and memory.

        usage: aegis-bench --socket PATH --keys FILE [--connections C] [--pipeline P]
                           [--count N | --duration S] [--warmup S] [--pid PID] [--json]
               aegis-bench --cold-start --socket PATH --keys FILE [--json] -- AEGISD [ARG...]

        """ + "\n" + Arguments.describe(options)

    /// Parses the words after the program name; `nil` means help was asked for.
    /// - Throws: ``ArgumentError`` naming the flag and what is wrong with it.
    static func parse(_ words: [String], environment: [String: String]) throws(ArgumentError) -> BenchOptions? {
        var ownWords = words
        var command: [String]?
        if let separator = words.firstIndex(of: "--") {
            ownWords = Array(words[..<separator])
            command = Array(words[(separator + 1)...])
        }
        let parsed = try Arguments(ownWords, options: options)
        if parsed.flag("help") { return nil }

        var result = BenchOptions()
        guard let socket = parsed.value("socket") ?? environment["AEGIS_SOCKET"], !socket.isEmpty else {
            throw ArgumentError("missing --socket (or AEGIS_SOCKET)")
        }
        guard socket.utf8.count < 108 else { throw ArgumentError("--socket path is longer than 107 bytes") }
        result.socketPath = socket
        result.keysPath = try parsed.requiredValue("keys")
        result.connections = Int(try parsed.integer("connections", in: 1...1024) ?? 32)
        result.pipeline = Int(try parsed.integer("pipeline", in: 1...1024) ?? 1)
        result.json = parsed.flag("json")
        if let pid = try parsed.integer("pid", in: 1...Int64(Int32.max)) { result.pid = Int32(pid) }
        result.warmupSeconds = try seconds(parsed, "warmup", in: 0...600) ?? 1
        result.timeLimitSeconds = try seconds(parsed, "time-limit", in: 0.1...86_400) ?? 600
        if let path = parsed.value("path") {
            guard path.hasPrefix("/") else { throw ArgumentError("--path must start with '/'") }
            result.path = path
        }

        let count = try parsed.integer("count", in: 1...1_000_000_000)
        let duration = try seconds(parsed, "duration", in: 0.01...3600)
        switch (count, duration) {
        case (.some, .some): throw ArgumentError("give --count or --duration, not both")
        case (.some(let count), nil): result.stop = .count(Int(count))
        case (nil, .some(let duration)): result.stop = .duration(seconds: duration)
        case (nil, nil): break
        }

        if parsed.flag("cold-start") {
            guard let command, !command.isEmpty else {
                throw ArgumentError("--cold-start needs the daemon's command line after --")
            }
            result.coldStartCommand = command
            result.daemonLogPath = parsed.value("daemon-log") ?? "/dev/null"
        } else if command != nil {
            throw ArgumentError("a command after -- is only for --cold-start")
        } else if parsed.value("daemon-log") != nil {
            throw ArgumentError("--daemon-log is only for --cold-start")
        }
        return result
    }

    /// A number of seconds such as `2` or `0.5`.
    private static func seconds(
        _ parsed: Arguments, _ name: String, in range: ClosedRange<Double>
    ) throws(ArgumentError) -> Double? {
        guard let text = parsed.value(name) else { return nil }
        guard let value = Double(text), value.isFinite else {
            throw ArgumentError("--\(name) must be a number of seconds, not '\(text)'")
        }
        guard range.contains(value) else {
            throw ArgumentError(
                "--\(name) must be between \(range.lowerBound) and \(range.upperBound) seconds, not \(text)")
        }
        return value
    }
}
