import Foundation
import Synchronization

/// Severity of a log line; lines below the configured level are dropped.
public enum LogLevel: Int, Sendable, Comparable, CaseIterable {
    case debug, info, warning, error

    public init?(name: String) {
        switch name.lowercased() {
        case "debug": self = .debug
        case "info": self = .info
        case "warn", "warning": self = .warning
        case "error": self = .error
        default: return nil
        }
    }

    var label: String {
        switch self {
        case .debug: "debug"
        case .info: "info"
        case .warning: "warning"
        case .error: "error"
        }
    }

    public static func < (lhs: LogLevel, rhs: LogLevel) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// One line per event on stderr: time, level, a fixed message, then `key=value` metadata.
///
/// Callers pass identifiers only (tenant id, key id or prefix); a raw API key never reaches here.
public struct Log: Sendable {
    public let level: LogLevel

    public init(level: LogLevel) {
        self.level = level
    }

    public func debug(
        _ message: @autoclosure () -> String, _ metadata: @autoclosure () -> KeyValuePairs<String, String> = [:]
    ) {
        emit(.debug, message(), metadata())
    }

    public func info(_ message: String, _ metadata: KeyValuePairs<String, String> = [:]) {
        emit(.info, message, metadata)
    }

    public func warning(_ message: String, _ metadata: KeyValuePairs<String, String> = [:]) {
        emit(.warning, message, metadata)
    }

    public func error(_ message: String, _ metadata: KeyValuePairs<String, String> = [:]) {
        emit(.error, message, metadata)
    }

    private func emit(_ lineLevel: LogLevel, _ message: String, _ metadata: KeyValuePairs<String, String>) {
        guard lineLevel >= level else { return }
        var line = "\(Self.timestamp()) \(lineLevel.label) \(message)"
        for (key, value) in metadata {
            line += " \(key)=\(Self.quoted(value))"
        }
        line += "\n"
        Self.lock.withLock { _ in
            FileHandle.standardError.write(Data(line.utf8))
        }
    }

    private static let lock = Mutex(())

    private static func timestamp() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var parts = tm()
        var seconds = now.tv_sec
        gmtime_r(&seconds, &parts)
        let millis = now.tv_nsec / 1_000_000
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday,
            parts.tm_hour, parts.tm_min, parts.tm_sec, millis)
    }

    private static func quoted(_ value: String) -> String {
        let plain = value.utf8.allSatisfy { $0 > 0x20 && $0 != UInt8(ascii: "\"") && $0 < 0x7F }
        if plain && !value.isEmpty { return value }
        let escaped = value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
        return "\"\(escaped)\""
    }
}
