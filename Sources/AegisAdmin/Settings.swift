import AegisCore

/// Where the command line finds the services it talks to: flags first, then the environment.
struct Settings {
    /// Options every command accepts, anywhere on the line.
    static let globalOptions: [Arguments.Option] = [
        .value("database-url", "URL", help: "PostgreSQL to use (default: $DATABASE_URL)"),
        .value("redis-url", "URL", help: "Redis to use (default: $REDIS_URL)"),
        .value("socket", "PATH", help: "aegisd's Unix socket (default: $AEGIS_SOCKET)"),
        .flag("json", help: "print JSON instead of text"),
        .flag("help", short: "h", help: "show help"),
    ]

    var databaseURL: String?
    var redisURL: String?
    var socketPath: String?
    var json: Bool
    var help: Bool

    init(_ globals: Arguments, environment: [String: String]) {
        func pick(_ flag: String, _ variable: String) -> String? {
            if let value = globals.value(flag) { return value }
            guard let value = environment[variable], !value.isEmpty else { return nil }
            return value
        }
        databaseURL = pick("database-url", "DATABASE_URL")
        redisURL = pick("redis-url", "REDIS_URL")
        socketPath = pick("socket", "AEGIS_SOCKET")
        json = globals.flag("json")
        help = globals.flag("help")
    }
}
