import AegisCore
import AegisStore
import AegisTestSupport
import Testing

/// The spool line is written in place, field by field; these tests hold it to a slow reference
/// built by joining escaped strings, for many random records.
@Suite struct CopyLineTests {
    /// The line as the format describes it: version, then every field tab-separated, escaped,
    /// empty when absent, and a newline. The key id is a uuid column: anything but a UUID is absent.
    private func referenceLine(_ record: LogRecord) -> [UInt8] {
        func text(_ value: String?) -> String {
            guard let value else { return "" }
            var escaped = ""
            for scalar in value.unicodeScalars {
                switch scalar {
                case "\\": escaped += "\\\\"
                case "\t": escaped += "\\t"
                case "\n": escaped += "\\n"
                case "\r": escaped += "\\r"
                case "\0": break
                default: escaped.unicodeScalars.append(scalar)
                }
            }
            return escaped
        }
        let fields = [
            "1", text(record.id), String(record.at), text(record.tenantID),
            record.keyID.flatMap(UUIDValue.init)?.text ?? "",
            record.reason.rawValue, String(record.status), text(record.method), text(record.path),
            text(record.clientIP), String(record.cost), record.quotaMonth.map { String($0) } ?? "",
            record.quotaUsed.map { String($0) } ?? "",
        ]
        return Array((fields.joined(separator: "\t") + "\n").utf8)
    }

    private func text(_ random: inout SeededGenerator) -> String? {
        let pieces = ["a", "/v1/items", "\t", "\n", "\r", "\\", "\0", "ü", "😀", " ", "0193a5a8-7a4e-7cc0-8000"]
        guard Int.random(in: 0..<5, using: &random) > 0 else { return nil }
        return (0..<Int.random(in: 0...5, using: &random)).map { _ in pieces.randomElement(using: &random)! }.joined()
    }

    private func keyID(_ random: inout SeededGenerator) -> String? {
        let id = UUIDValue(high: random.next(), low: random.next()).text
        switch Int.random(in: 0..<4, using: &random) {
        case 0: return nil
        case 1: return id
        case 2: return id.uppercased()
        default: return text(&random)
        }
    }

    private func number(_ random: inout SeededGenerator) -> Int64 {
        Bool.random(using: &random)
            ? Int64.random(in: .min ... .max, using: &random) : Int64.random(in: -1000...1000, using: &random)
    }

    @Test func linesMatchTheReference() {
        var random = SeededGenerator(seed: 0xC0_9711)
        for _ in 0..<2000 {
            let id = UUIDv7(
                milliseconds: number(&random), randA: UInt16.random(in: 0...0xFFFF, using: &random),
                randB: random.next())
            let record = LogRecord(
                id: id.description, at: number(&random), tenantID: text(&random), keyID: keyID(&random),
                reason: Reason.allCases.randomElement(using: &random)!, status: Int(number(&random)),
                method: text(&random), path: text(&random), clientIP: text(&random), cost: Int(number(&random)),
                quotaMonth: Bool.random(using: &random) ? Int(number(&random)) : nil,
                quotaUsed: Bool.random(using: &random) ? number(&random) : nil)
            var fromRecord: [UInt8] = [7]
            record.appendCopyLine(to: &fromRecord)
            var fromParts: [UInt8] = [7]
            LogRecord.appendCopyLine(
                id: id, at: record.at, tenantID: record.tenantID, keyID: record.keyID.flatMap(UUIDValue.init),
                reason: record.reason, status: record.status, method: record.method, path: record.path,
                clientIP: record.clientIP, cost: record.cost, quotaMonth: record.quotaMonth,
                quotaUsed: record.quotaUsed, to: &fromParts)
            #expect(fromRecord == [7] + referenceLine(record))
            #expect(fromParts == fromRecord)
        }
    }

    @Test func arbitraryIDTextIsEscapedLikeAnyField() {
        let record = LogRecord(id: "not\ta-uuid\\", at: 0, reason: .ok, status: 200)
        var line: [UInt8] = []
        record.appendCopyLine(to: &line)
        #expect(line == referenceLine(record))
        #expect(LogRecord(copyLine: line.dropLast()) == record)
    }
}
