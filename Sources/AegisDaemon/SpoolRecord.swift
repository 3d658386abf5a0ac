import AegisCore
import AegisStore

/// The spool's line format for one decision: tab-separated fields, version first, `\n` last.
///
/// Strings escape backslash, tab, CR and LF; an absent value is an empty field. The format is
/// private to the daemon and versioned so a newer daemon can still ship an older spool.
enum SpoolRecord {
    static let version = "1"

    static func append(_ record: LogRecord, to out: inout [UInt8]) {
        out.append(contentsOf: version.utf8)
        field(record.id, &out)
        field(String(record.at), &out)
        field(record.tenantID, &out)
        field(record.keyID, &out)
        field(record.reason.rawValue, &out)
        field(String(record.status), &out)
        field(record.method, &out)
        field(record.path, &out)
        field(record.clientIP, &out)
        field(String(record.cost), &out)
        field(record.quotaMonth.map { String($0) }, &out)
        field(record.quotaUsed.map { String($0) }, &out)
        out.append(UInt8(ascii: "\n"))
    }

    /// Parses one line (without its `\n`); `nil` when it is not a well-formed record.
    static func parse(_ line: ArraySlice<UInt8>) -> LogRecord? {
        let fields = line.split(separator: UInt8(ascii: "\t"), omittingEmptySubsequences: false).map(unescape)
        guard fields.count == 13, fields[0] == version,
            let id = fields[1], let at = fields[2].flatMap({ Int64($0) }),
            let reason = fields[5].flatMap(Reason.init(rawValue:)),
            let status = fields[6].flatMap({ Int($0) }),
            let cost = fields[10].flatMap({ Int($0) })
        else { return nil }
        return LogRecord(
            id: id, at: at, tenantID: fields[3], keyID: fields[4], reason: reason, status: status,
            method: fields[7], path: fields[8], clientIP: fields[9], cost: cost,
            quotaMonth: fields[11].flatMap { Int($0) }, quotaUsed: fields[12].flatMap { Int64($0) })
    }

    private static func field(_ value: String?, _ out: inout [UInt8]) {
        out.append(UInt8(ascii: "\t"))
        guard let value else { return }
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\\"): out.append(contentsOf: [0x5C, 0x5C])
            case UInt8(ascii: "\t"): out.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            case UInt8(ascii: "\n"): out.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case UInt8(ascii: "\r"): out.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            default: out.append(byte)
            }
        }
    }

    private static func unescape(_ raw: ArraySlice<UInt8>) -> String? {
        guard !raw.isEmpty else { return nil }
        guard raw.contains(0x5C) else { return String(decoding: raw, as: UTF8.self) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(raw.count)
        var escaped = false
        for byte in raw {
            if escaped {
                switch byte {
                case UInt8(ascii: "t"): bytes.append(UInt8(ascii: "\t"))
                case UInt8(ascii: "n"): bytes.append(UInt8(ascii: "\n"))
                case UInt8(ascii: "r"): bytes.append(UInt8(ascii: "\r"))
                default: bytes.append(byte)
                }
                escaped = false
            } else if byte == 0x5C {
                escaped = true
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
