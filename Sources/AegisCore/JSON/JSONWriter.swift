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
        // Measure first, grow once, then write in place: far cheaper than appending piece by piece.
        var length = text.count + 2
        for byte in text where needsEscape(byte) { length += escapeLength(of: byte) - 1 }
        let start = out.count
        out.append(contentsOf: repeatElement(0, count: length))
        out.withUnsafeMutableBufferPointer { buffer in
            var index = start
            buffer[index] = UInt8(ascii: "\"")
            index += 1
            if length == text.count + 2 {
                let tail = UnsafeMutableBufferPointer(rebasing: buffer[index...])
                UnsafeMutableRawBufferPointer(tail).copyMemory(from: text)
                index += text.count
            } else {
                for byte in text {
                    if needsEscape(byte) {
                        index = writeEscape(of: byte, to: buffer, at: index)
                    } else {
                        buffer[index] = byte
                        index += 1
                    }
                }
            }
            buffer[index] = UInt8(ascii: "\"")
        }
    }

    /// Appends an integer in decimal, with a leading `-` when negative.
    public static func appendInteger(_ value: Int64, to out: inout [UInt8]) {
        if value < 0 { out.append(UInt8(ascii: "-")) }
        let digits = DecimalText.digitCount(value.magnitude)
        let start = out.count
        out.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: digits))
        out.withUnsafeMutableBufferPointer { buffer in
            DecimalText.writeDigits(value.magnitude, count: digits, startingAt: buffer.baseAddress! + start)
        }
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

    private static func needsEscape(_ byte: UInt8) -> Bool {
        byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\")
    }

    private static func escapeLength(of byte: UInt8) -> Int {
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), 0x0A, 0x0D, 0x09, 0x08, 0x0C: 2
        default: 6
        }
    }

    /// Writes the escape for `byte` at `index`; returns the index after it.
    private static func writeEscape(
        of byte: UInt8, to buffer: UnsafeMutableBufferPointer<UInt8>, at index: Int
    ) -> Int {
        buffer[index] = UInt8(ascii: "\\")
        let short: UInt8
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"): short = byte
        case 0x0A: short = UInt8(ascii: "n")
        case 0x0D: short = UInt8(ascii: "r")
        case 0x09: short = UInt8(ascii: "t")
        case 0x08: short = UInt8(ascii: "b")
        case 0x0C: short = UInt8(ascii: "f")
        default:
            let hex: StaticString = "0123456789abcdef"
            buffer[index + 1] = UInt8(ascii: "u")
            buffer[index + 2] = UInt8(ascii: "0")
            buffer[index + 3] = UInt8(ascii: "0")
            buffer[index + 4] = hex.utf8Start[Int(byte >> 4)]
            buffer[index + 5] = hex.utf8Start[Int(byte & 0x0F)]
            return index + 6
        }
        buffer[index + 1] = short
        return index + 2
    }
}
