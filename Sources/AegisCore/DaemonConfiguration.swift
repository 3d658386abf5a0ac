/// Everything `aegisd` can be told, with the defaults a sidecar wants.
///
/// Built from flags and the environment by ``DaemonConfiguration/parse(_:environment:)``; a flag
/// wins over its environment variable.
public struct DaemonConfiguration: Sendable, Equatable {
    /// What to do with an authenticated request when Redis cannot be asked.
    public enum FailMode: String, Sendable, Equatable {
        /// Admit with reason `fail_open`.
        case open
        /// Answer 503 `unavailable`.
        case closed
    }

    /// Where the HTTP bridge listens.
    public enum HTTPAddress: Sendable, Equatable {
        case unix(String)
        case tcp(host: String, port: UInt16)
    }

    public var socketPath = "/run/aegis/aegis.sock"
    public var socketMode: UInt32 = 0o660
    public var http: HTTPAddress?
    public var envoyPrefix = "/envoy"
    public var databaseURL = "postgresql://127.0.0.1:5432/aegis"
    public var redisURL = "redis://127.0.0.1:6379"
    public var failMode = FailMode.open
    public var logLevel = "info"
    public var spoolDirectory = "/var/lib/aegis/spool"
    public var maxFrameBytes = 65_536
    public var maxConnections = 4_096
    /// Seconds a connection may sit idle, or dribble a partial request, before it is closed.
    public var idleTimeoutSeconds = 60
    /// Milliseconds a check waits for Redis before the fail mode answers it.
    public var redisTimeoutMs = 250
    public var cacheSize = 200_000
    /// Seconds between spool shipments to PostgreSQL.
    public var shipIntervalMs = 1_000

    public init() {}
}
