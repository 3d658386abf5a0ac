import AegisCore

/// One decision as a line of PostgreSQL's COPY text format: the form the daemon spools decisions
/// in, so the spool is shipped with `COPY` as it lies on disk, without parsing it first.
///
/// Fields are tab-separated in the order of ``LogRecord/copyColumns``, the first being the format
/// version; backslash, tab, CR and LF are escaped with a backslash, an absent value is an empty
/// field, and the line ends with `\n`.
extension LogRecord {
    static let copyVersion: UInt8 = UInt8(ascii: "1")

    /// The staging table's columns, in line order.
    static let copyColumns = """
        v text, id uuid, at_ms bigint, tenant_id uuid, api_key_id uuid, reason text, status integer, \
        method text, path text, client_ip text, cost integer, quota_month integer, quota_used bigint
        """

    /// Appends this record as one line.
    public func appendCopyLine(to out: inout [UInt8]) {
        out.append(Self.copyVersion)
        Self.field(id, &out)
        Self.field(at, &out)
        Self.field(tenantID, &out)
        Self.field(keyID, &out)
        Self.field(reason.rawValue, &out)
        Self.field(Int64(status), &out)
        Self.field(method, &out)
        Self.field(path, &out)
        Self.field(clientIP, &out)
        Self.field(Int64(cost), &out)
        Self.field(quotaMonth.map(Int64.init), &out)
        Self.field(quotaUsed, &out)
        out.append(UInt8(ascii: "\n"))
    }

    /// Parses one line (without its `\n`); `nil` when it is not a well-formed record.
    public init?(copyLine line: ArraySlice<UInt8>) {
        let fields = line.split(separator: UInt8(ascii: "\t"), omittingEmptySubsequences: false).map(Self.unescape)
        guard fields.count == 13, fields[0] == "1",
            let id = fields[1], let at = fields[2].flatMap({ Int64($0) }),
            let reason = fields[5].flatMap(Reason.init(rawValue:)),
            let status = fields[6].flatMap({ Int($0) }),
            let cost = fields[10].flatMap({ Int($0) })
        else { return nil }
        self.init(
            id: id, at: at, tenantID: fields[3], keyID: fields[4], reason: reason, status: status,
            method: fields[7], path: fields[8], clientIP: fields[9], cost: cost,
            quotaMonth: fields[11].flatMap { Int($0) }, quotaUsed: fields[12].flatMap { Int64($0) })
    }

    private static func field(_ value: Int64?, _ out: inout [UInt8]) {
        out.append(UInt8(ascii: "\t"))
        if let value { JSONWriter.appendInteger(value, to: &out) }
    }

    private static func field(_ value: String?, _ out: inout [UInt8]) {
        out.append(UInt8(ascii: "\t"))
        guard var value else { return }
        value.withUTF8 { bytes in
            // Most values need no escape: copy them whole.
            if !bytes.contains(where: { $0 == 0x5C || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D || $0 == 0 }) {
                out.append(contentsOf: bytes)
                return
            }
            for byte in bytes {
                switch byte {
                case 0x5C: out.append(contentsOf: [0x5C, 0x5C])
                case 0x09: out.append(contentsOf: [0x5C, UInt8(ascii: "t")])
                case 0x0A: out.append(contentsOf: [0x5C, UInt8(ascii: "n")])
                case 0x0D: out.append(contentsOf: [0x5C, UInt8(ascii: "r")])
                // PostgreSQL text cannot hold NUL.
                case 0: break
                default: out.append(byte)
                }
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
                case UInt8(ascii: "t"): bytes.append(0x09)
                case UInt8(ascii: "n"): bytes.append(0x0A)
                case UInt8(ascii: "r"): bytes.append(0x0D)
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
