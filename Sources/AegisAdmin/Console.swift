import Foundation

/// Where a command's output goes: text for people on `out`, problems on `err`.
public final class Console {
    private let writeOut: (String) -> Void
    private let writeErr: (String) -> Void

    /// A console that hands each piece of text to the given functions.
    public init(out: @escaping (String) -> Void, err: @escaping (String) -> Void) {
        writeOut = out
        writeErr = err
    }

    /// The process's standard output and standard error, written through at once.
    public static func standard() -> Console {
        Console(
            out: { FileHandle.standardOutput.write(Data($0.utf8)) },
            err: { FileHandle.standardError.write(Data($0.utf8)) })
    }

    /// Writes one line to standard output.
    func line(_ text: String) {
        writeOut(text + "\n")
    }

    /// Writes one line to standard error.
    func problem(_ text: String) {
        writeErr(text + "\n")
    }

    /// Writes a JSON value (objects with sorted keys) as one line to standard output.
    func json(_ value: Any) {
        line(JSONText.encode(value))
    }
}

/// JSON for command output, built from dictionaries, arrays, strings, numbers, booleans and
/// `NSNull` so that absent values appear as `null` instead of vanishing.
enum JSONText {
    /// One line of JSON for an array or object; `null` for anything JSON cannot hold.
    static func encode(_ value: Any) -> String {
        guard JSONSerialization.isValidJSONObject(value),
            let data = try? JSONSerialization.data(
                withJSONObject: value, options: [.sortedKeys, .withoutEscapingSlashes])
        else { return "null" }
        return String(decoding: data, as: UTF8.self)
    }

    /// A date as ISO 8601 in UTC, to the second.
    static func date(_ date: Date) -> String {
        date.formatted(.iso8601)
    }

    /// A date that may be absent, as ISO 8601 or `null`.
    static func date(_ date: Date?) -> Any {
        date.map { Self.date($0) } ?? NSNull()
    }
}
