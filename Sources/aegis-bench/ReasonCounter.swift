import AegisCore

/// Counts the `reason` of each reply by finding `"reason":"` in its bytes, without decoding the
/// JSON: the generator must cost far less per reply than the daemon it measures.
final class ReasonCounter {
    private static let marker = Array(#""reason":""#.utf8)
    private static let names = Reason.allCases.map { Array($0.rawValue.utf8) }

    /// Counts by position in `Reason.allCases`.
    private(set) var known = [UInt64](repeating: 0, count: Reason.allCases.count)
    /// Reasons this build does not know, and replies without one.
    private(set) var unknown: [String: UInt64] = [:]

    var total: UInt64 { known.reduce(0, +) + unknown.values.reduce(0, +) }

    /// Every reason seen, with its count, most frequent first.
    var counts: [(reason: String, count: UInt64)] {
        var all = zip(Reason.allCases, known).filter { $0.1 > 0 }.map { ($0.0.rawValue, $0.1) }
        all += unknown.map { ($0.key, $0.value) }
        return all.sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }
    }

    func count(reply: UnsafeRawBufferPointer) {
        guard let name = Self.reason(in: reply) else {
            unknown["(none)", default: 0] += 1
            return
        }
        for (index, candidate) in Self.names.enumerated() where candidate.count == name.count {
            if candidate.withUnsafeBytes({ $0.elementsEqual(name) }) {
                known[index] += 1
                return
            }
        }
        unknown[String(decoding: name, as: UTF8.self), default: 0] += 1
    }

    func reset() {
        for index in known.indices { known[index] = 0 }
        unknown = [:]
    }

    /// The bytes of the reply's reason, without quotes; nil when it has none.
    static func reason(in reply: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer? {
        guard let start = find(marker, in: reply) else { return nil }
        var end = start
        while end < reply.count, reply[end] != UInt8(ascii: "\"") { end += 1 }
        return UnsafeRawBufferPointer(rebasing: reply[start..<end])
    }

    /// The index just past `pattern` in `bytes`, or nil.
    private static func find(_ pattern: [UInt8], in bytes: UnsafeRawBufferPointer) -> Int? {
        let first = pattern[0]
        let last = bytes.count - pattern.count
        guard last >= 0 else { return nil }
        var index = 0
        outer: while index <= last {
            if bytes[index] != first {
                index += 1
                continue
            }
            for offset in 1..<pattern.count where bytes[index + offset] != pattern[offset] {
                index += 1
                continue outer
            }
            return index + pattern.count
        }
        return nil
    }
}
