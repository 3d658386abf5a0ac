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
        Self.appendCopyLine(
            idLength: Self.maxFieldLength(id), at: at, tenantID: tenantID, keyID: keyID.flatMap(UUIDValue.init),
            reason: reason, status: status, method: method, path: path, clientIP: clientIP, cost: cost,
            quotaMonth: quotaMonth, quotaUsed: quotaUsed, to: &out
        ) { $0.writeCopyText(id) }
    }

    /// Appends the line for a decision straight from its parts, the same line a `LogRecord` of them
    /// would give: the daemon spools every decision this way, writing the id's text in place
    /// rather than building a string for it.
    public static func appendCopyLine(
        id: UUIDv7, at: Int64, tenantID: String?, keyID: UUIDValue?, reason: Reason, status: Int, method: String?,
        path: String?, clientIP: String?, cost: Int, quotaMonth: Int?, quotaUsed: Int64?, to out: inout [UInt8]
    ) {
        appendCopyLine(
            idLength: UUIDv7.textLength, at: at, tenantID: tenantID, keyID: keyID, reason: reason, status: status,
            method: method, path: path, clientIP: clientIP, cost: cost, quotaMonth: quotaMonth, quotaUsed: quotaUsed,
            to: &out
        ) { id.write(to: &$0) }
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

    /// Bytes a line takes besides its id and its text fields: the version, the tabs, the newline,
    /// five numbers and the reason.
    private static let maxFixedLength = 14 + 5 * ByteWriter.maxDecimalLength + 64

    /// The most bytes a text field takes once escaped.
    private static func maxFieldLength(_ value: String?) -> Int {
        2 * (value?.utf8.count ?? 0)
    }

    private static func appendCopyLine(
        idLength: Int, at: Int64, tenantID: String?, keyID: UUIDValue?, reason: Reason, status: Int, method: String?,
        path: String?, clientIP: String?, cost: Int, quotaMonth: Int?, quotaUsed: Int64?, to out: inout [UInt8],
        id writeID: (inout ByteWriter) -> Void
    ) {
        let textLength =
            maxFieldLength(tenantID) + UUIDValue.textLength + maxFieldLength(method) + maxFieldLength(path)
            + maxFieldLength(clientIP)
        out.appendWriting(maxCount: maxFixedLength + idLength + textLength) { writer in
            writer.write(copyVersion)
            writer.write(UInt8(ascii: "\t"))
            writeID(&writer)
            writer.writeCopyField(at)
            writer.writeCopyField(tenantID)
            writer.write(UInt8(ascii: "\t"))
            keyID?.write(to: &writer)
            writer.writeCopyField(reason.rawValue)
            writer.writeCopyField(Int64(status))
            writer.writeCopyField(method)
            writer.writeCopyField(path)
            writer.writeCopyField(clientIP)
            writer.writeCopyField(Int64(cost))
            writer.writeCopyField(quotaMonth.map(Int64.init))
            writer.writeCopyField(quotaUsed)
            writer.write(UInt8(ascii: "\n"))
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

extension ByteWriter {
    /// A tab, then the number unless it is absent.
    fileprivate mutating func writeCopyField(_ value: Int64?) {
        write(UInt8(ascii: "\t"))
        if let value { write(value) }
    }

    /// A tab, then the text escaped unless it is absent.
    fileprivate mutating func writeCopyField(_ value: String?) {
        write(UInt8(ascii: "\t"))
        if let value { writeCopyText(value) }
    }

    /// Text, escaped, without its tab.
    fileprivate mutating func writeCopyText(_ value: String) {
        let written: Void? = value.utf8.withContiguousStorageIfAvailable { writeCopyText(UnsafeRawBufferPointer($0)) }
        guard written == nil else { return }
        var copy = value
        copy.withUTF8 { writeCopyText(UnsafeRawBufferPointer($0)) }
    }

    /// UTF-8 text, escaped, without its tab: runs that need no escape are copied whole.
    fileprivate mutating func writeCopyText(_ bytes: UnsafeRawBufferPointer) {
        var runStart = 0
        for index in bytes.indices {
            let escape: StaticString
            switch bytes[index] {
            case 0x5C: escape = "\\\\"
            case 0x09: escape = "\\t"
            case 0x0A: escape = "\\n"
            case 0x0D: escape = "\\r"
            // PostgreSQL text cannot hold NUL.
            case 0: escape = ""
            default: continue
            }
            write(UnsafeRawBufferPointer(rebasing: bytes[runStart..<index]))
            write(escape)
            runStart = index + 1
        }
        write(UnsafeRawBufferPointer(rebasing: bytes[runStart...]))
    }
}
