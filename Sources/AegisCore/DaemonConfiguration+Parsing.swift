extension DaemonConfiguration {
    /// One setting: its flag, its environment variable and how a value changes the configuration.
    private struct Setting: Sendable {
        var option: Arguments.Option
        var environment: String?
        var apply: @Sendable (inout DaemonConfiguration, String) throws(ArgumentError) -> Void
    }

    /// The result of reading a command line: a configuration to run, or a request for help.
    public enum Parsed: Sendable, Equatable {
        case run(DaemonConfiguration)
        case help
    }

    /// Reads flags, then the environment for whatever no flag set.
    /// - Throws: ``ArgumentError`` naming the flag or variable and what is wrong with its value.
    public static func parse(_ arguments: [String], environment: [String: String]) throws(ArgumentError) -> Parsed {
        let parsed = try Arguments(arguments, options: settings.map(\.option) + [.flag("help", short: "h")])
        if parsed.flag("help") { return .help }
        var configuration = DaemonConfiguration()
        if let port = environment["PORT"], !port.isEmpty {
            try configuration.setHTTP(port, source: "PORT")
        }
        for setting in settings {
            if let value = parsed.value(setting.option.name) {
                try setting.apply(&configuration, value)
            } else if let name = setting.environment, let value = environment[name], !value.isEmpty {
                do {
                    try setting.apply(&configuration, value)
                } catch {
                    throw ArgumentError("\(name): \(error.message)")
                }
            }
        }
        return .run(configuration)
    }

    /// `aegisd --help`: every flag with its environment variable and default.
    public static var helpText: String {
        var lines = [
            "aegisd: answers, for a proxy on the same host, whether an HTTP request may pass.",
            "",
            "usage: aegisd [options]",
            "",
            "Each option can also be set by the environment variable in brackets; a flag wins.",
            "",
        ]
        for setting in settings {
            var line = "  --\(setting.option.name) \(setting.option.placeholder ?? "")"
            line = line.padding(toLength: 28, withPad: " ", startingAt: 0) + setting.option.help
            if let name = setting.environment { line += " [\(name)]" }
            lines.append(line)
        }
        lines.append("  --help".padding(toLength: 28, withPad: " ", startingAt: 0) + "show this text")
        lines.append("")
        lines.append("PORT=N (the seed's variable) is the same as --http 127.0.0.1:N.")
        return lines.joined(separator: "\n")
    }

    private static let settings: [Setting] = [
        Setting(
            option: .value(
                "socket", "PATH", help: "Unix socket for the check protocol (default /run/aegis/aegis.sock)"),
            environment: "AEGIS_SOCKET"
        ) { config, value throws(ArgumentError) in config.socketPath = value },
        Setting(
            option: .value("socket-mode", "MODE", help: "octal file mode of the sockets (default 0660)"),
            environment: "AEGIS_SOCKET_MODE"
        ) { config, value throws(ArgumentError) in
            guard let mode = UInt32(value, radix: 8), mode <= 0o777 else {
                throw ArgumentError("--socket-mode must be an octal file mode such as 0660, not '\(value)'")
            }
            config.socketMode = mode
        },
        Setting(
            option: .value("http", "ADDR", help: "HTTP bridge: unix:/path/http.sock or 127.0.0.1:PORT (default off)"),
            environment: "AEGIS_HTTP"
        ) { config, value throws(ArgumentError) in try config.setHTTP(value, source: "--http") },
        Setting(
            option: .value(
                "envoy-prefix", "PATH", help: "path prefix of the Envoy ext_authz endpoint (default /envoy)"),
            environment: "AEGIS_ENVOY_PREFIX"
        ) { config, value throws(ArgumentError) in
            guard value.hasPrefix("/") else { throw ArgumentError("--envoy-prefix must start with '/'") }
            config.envoyPrefix = value
        },
        Setting(
            option: .value("database-url", "URL", help: "PostgreSQL connection URL"),
            environment: "DATABASE_URL"
        ) { config, value throws(ArgumentError) in config.databaseURL = value },
        Setting(
            option: .value(
                "redis-url", "URL", help: "redis://host:port/db or unix:///path (default redis://127.0.0.1:6379)"),
            environment: "REDIS_URL"
        ) { config, value throws(ArgumentError) in config.redisURL = value },
        Setting(
            option: .value("fail-mode", "open|closed", help: "when Redis is unreachable: admit (open) or 503 (closed)"),
            environment: "AEGIS_FAIL_MODE"
        ) { config, value throws(ArgumentError) in
            guard let mode = FailMode(rawValue: value) else {
                throw ArgumentError("--fail-mode must be 'open' or 'closed', not '\(value)'")
            }
            config.failMode = mode
        },
        Setting(
            option: .value("log-level", "LEVEL", help: "debug, info, warning or error (default info)"),
            environment: "AEGIS_LOG_LEVEL"
        ) { config, value throws(ArgumentError) in
            guard ["debug", "info", "warning", "warn", "error"].contains(value.lowercased()) else {
                throw ArgumentError("--log-level must be debug, info, warning or error, not '\(value)'")
            }
            config.logLevel = value.lowercased()
        },
        Setting(
            option: .value("spool-dir", "DIR", help: "directory of the decision spool (default /var/lib/aegis/spool)"),
            environment: "AEGIS_SPOOL_DIR"
        ) { config, value throws(ArgumentError) in config.spoolDirectory = value },
        integer("max-frame-bytes", "AEGIS_MAX_FRAME_BYTES", 16...(1 << 20), "largest request accepted (default 65536)")
        {
            $0.maxFrameBytes = $1
        },
        integer("max-connections", "AEGIS_MAX_CONNECTIONS", 1...1_000_000, "open connections at most (default 4096)") {
            $0.maxConnections = $1
        },
        integer(
            "idle-timeout", "AEGIS_IDLE_TIMEOUT", 1...86_400, "seconds before an idle connection closes (default 60)"
        ) {
            $0.idleTimeoutSeconds = $1
        },
        integer(
            "redis-timeout-ms", "AEGIS_REDIS_TIMEOUT_MS", 10...900, "wait for Redis before failing over (default 250)"
        ) {
            $0.redisTimeoutMs = $1
        },
        integer("cache-size", "AEGIS_CACHE_SIZE", 16...100_000_000, "API keys kept in memory (default 200000)") {
            $0.cacheSize = $1
        },
        integer("ship-interval-ms", "AEGIS_SHIP_INTERVAL_MS", 10...60_000, "spool to PostgreSQL every (default 1000)") {
            $0.shipIntervalMs = $1
        },
    ]

    private static func integer(
        _ name: String, _ environment: String, _ range: ClosedRange<Int>, _ help: String,
        _ set: @escaping @Sendable (inout DaemonConfiguration, Int) -> Void
    ) -> Setting {
        Setting(option: .value(name, "N", help: help), environment: environment) {
            config, value throws(ArgumentError) in
            guard let number = Int(value), range.contains(number) else {
                throw ArgumentError(
                    "--\(name) must be a whole number between \(range.lowerBound) and \(range.upperBound),"
                        + " not '\(value)'"
                )
            }
            set(&config, number)
        }
    }

    private mutating func setHTTP(_ value: String, source: String) throws(ArgumentError) {
        if value.hasPrefix("unix:") {
            let path = String(value.dropFirst(5))
            guard !path.isEmpty else { throw ArgumentError("\(source): empty Unix socket path") }
            http = .unix(path)
            return
        }
        let parts = value.split(separator: ":", omittingEmptySubsequences: false)
        let host = parts.count == 2 ? String(parts[0]) : "127.0.0.1"
        guard let portText = parts.last, let port = UInt16(portText), port > 0, parts.count <= 2 else {
            throw ArgumentError("\(source) must be unix:/path, host:port or a port, not '\(value)'")
        }
        guard ["127.0.0.1", "localhost", "::1", "0.0.0.0"].contains(host) || host.hasPrefix("127.") else {
            throw ArgumentError("\(source): the HTTP bridge listens on loopback only, not on '\(host)'")
        }
        http = .tcp(host: host, port: port)
    }
}
