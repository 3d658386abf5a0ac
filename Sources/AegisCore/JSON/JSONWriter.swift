/// Appends JSON text to a byte buffer, without building intermediate values.
///
/// The caller writes the punctuation it needs with `appendRaw`; this type takes care of the parts
/// that need care: string escaping and integer formatting.
public enum JSONWriter {
    /// Appends `text` as a JSON string literal, quotes included.
    ///
    /// Escapes `"`, `\` and every control character below 0x20 (as `\n`, `\r`, `\t`, `\b`, `\f` or
    /// `\u00XX`), so the output never contains a raw newline and is safe in line-delimited
    /// framing. Everything else, non-ASCII included, is written as UTF-8.
    public static func appendString(_ text: String, to out: inout [UInt8]) {
        var text = text
        text.withUTF8 { appendString(utf8: UnsafeRawBufferPointer($0), to: &out) }
    }

    /// Appends bytes that are valid UTF-8 as a JSON string literal, quotes included.
    /// - Warning: Invalid UTF-8 is copied as is and would make the output invalid JSON.
    public static func appendString(utf8 text: UnsafeRawBufferPointer, to out: inout [UInt8]) {
        out.reserveCapacity(out.count + text.count + 2)
        out.append(UInt8(ascii: "\""))
        var runStart = 0
        for index in 0..<text.count {
            let byte = text[index]
            guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
            if runStart < index { out.append(contentsOf: UnsafeRawBufferPointer(rebasing: text[runStart..<index])) }
            appendEscape(for: byte, to: &out)
            runStart = index + 1
        }
        if runStart < text.count { out.append(contentsOf: UnsafeRawBufferPointer(rebasing: text[runStart...])) }
        out.append(UInt8(ascii: "\""))
    }

    /// Appends an integer in decimal, with a leading `-` when negative.
    public static func appendInteger(_ value: Int64, to out: inout [UInt8]) {
        if value < 0 { out.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        var digitCount = 1
        var probe = magnitude
        while probe >= 10 {
            probe /= 10
            digitCount += 1
        }
        let end = out.count + digitCount
        out.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: digitCount))
        var index = end
        repeat {
            index -= 1
            out[index] = UInt8(ascii: "0") + UInt8(magnitude % 10)
            magnitude /= 10
        } while magnitude > 0
    }

    /// Appends an integer in decimal, with a leading `-` when negative.
    public static func appendInteger(_ value: Int, to out: inout [UInt8]) {
        appendInteger(Int64(value), to: &out)
    }

    /// Appends `true` or `false`.
    public static func appendBool(_ value: Bool, to out: inout [UInt8]) {
        appendRaw(value ? "true" : "false", to: &out)
    }

    /// Appends ASCII text verbatim: punctuation, `null`, or keys known not to need escaping.
    public static func appendRaw(_ text: StaticString, to out: inout [UInt8]) {
        out.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    private static func appendEscape(for byte: UInt8, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\\"))
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"): out.append(byte)
        case 0x0A: out.append(UInt8(ascii: "n"))
        case 0x0D: out.append(UInt8(ascii: "r"))
        case 0x09: out.append(UInt8(ascii: "t"))
        case 0x08: out.append(UInt8(ascii: "b"))
        case 0x0C: out.append(UInt8(ascii: "f"))
        default:
            let hex: StaticString = "0123456789abcdef"
            out.append(contentsOf: [UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0")])
            out.append(hex.utf8Start[Int(byte >> 4)])
            out.append(hex.utf8Start[Int(byte & 0x0F)])
        }
    }
}
