/// Text-format array literals, so a whole batch can travel as one statement parameter
/// (`unnest($1::uuid[])`) instead of thousands of placeholders.
public enum PostgresArray {
    /// The literal for a one-dimensional array: every element double-quoted with `\` and `"`
    /// escaped, `nil` as an unquoted `NULL`.
    ///
    /// NUL characters are dropped: PostgreSQL text cannot hold them, and in a C string parameter
    /// one would cut the literal short.
    public static func literal(_ elements: [String?]) -> String {
        var out: [UInt8] = [UInt8(ascii: "{")]
        out.reserveCapacity(elements.count * 16)
        for (index, element) in elements.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            guard let element else {
                out.append(contentsOf: "NULL".utf8)
                continue
            }
            out.append(UInt8(ascii: "\""))
            for byte in element.utf8 {
                switch byte {
                case 0: continue
                case UInt8(ascii: "\""), UInt8(ascii: "\\"): out.append(contentsOf: [UInt8(ascii: "\\"), byte])
                default: out.append(byte)
                }
            }
            out.append(UInt8(ascii: "\""))
        }
        out.append(UInt8(ascii: "}"))
        return String(decoding: out, as: UTF8.self)
    }

    /// The literal for an integer array.
    public static func literal(_ elements: [Int64]) -> String {
        "{" + elements.map(String.init).joined(separator: ",") + "}"
    }
}
