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
        // Measure first so the room reserved is exact: a long message with no escapes must not
        // reserve six times its length.
        var length = text.count + 2
        for byte in text where needsEscape(byte) { length += escapeLength(of: byte) - 1 }
        out.appendWriting(maxCount: length) { $0.writeJSONString(utf8: text) }
    }

    /// The most bytes `appendString` writes for text of `utf8Count` bytes: every byte a `\u00XX`
    /// escape, and the quotes.
    public static func maxStringLength(utf8Count: Int) -> Int {
        utf8Count * 6 + 2
    }

    /// Appends an integer in decimal, with a leading `-` when negative.
    public static func appendInteger(_ value: Int64, to out: inout [UInt8]) {
        out.appendWriting(maxCount: ByteWriter.maxDecimalLength) { $0.write(value) }
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

    @inline(__always)
    static func needsEscape(_ byte: UInt8) -> Bool {
        byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\")
    }

    static func escapeLength(of byte: UInt8) -> Int {
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), 0x0A, 0x0D, 0x09, 0x08, 0x0C: 2
        default: 6
        }
    }
}

extension ByteWriter {
    /// Writes `text` as a JSON string literal, quotes included, escaped as
    /// `JSONWriter.appendString` does; at most `JSONWriter.maxStringLength(utf8Count:)` bytes.
    ///
    /// Runs that need no escape are copied whole.
    public mutating func writeJSONString(utf8 text: UnsafeRawBufferPointer) {
        write(UInt8(ascii: "\""))
        var runStart = 0
        for index in text.indices where JSONWriter.needsEscape(text[index]) {
            write(UnsafeRawBufferPointer(rebasing: text[runStart..<index]))
            writeEscape(of: text[index])
            runStart = index + 1
        }
        write(UnsafeRawBufferPointer(rebasing: text[runStart...]))
        write(UInt8(ascii: "\""))
    }

    /// Writes `text` as a JSON string literal; see `writeJSONString(utf8:)`.
    public mutating func writeJSONString(_ text: String) {
        let written: Void? = text.utf8.withContiguousStorageIfAvailable {
            writeJSONString(utf8: UnsafeRawBufferPointer($0))
        }
        guard written == nil else { return }
        var copy = text
        copy.withUTF8 { writeJSONString(utf8: UnsafeRawBufferPointer($0)) }
    }

    private mutating func writeEscape(of byte: UInt8) {
        write(UInt8(ascii: "\\"))
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"): write(byte)
        case 0x0A: write(UInt8(ascii: "n"))
        case 0x0D: write(UInt8(ascii: "r"))
        case 0x09: write(UInt8(ascii: "t"))
        case 0x08: write(UInt8(ascii: "b"))
        case 0x0C: write(UInt8(ascii: "f"))
        default:
            let hex: StaticString = "0123456789abcdef"
            write("u00")
            write(hex.utf8Start[Int(byte >> 4)])
            write(hex.utf8Start[Int(byte & 0x0F)])
        }
    }
}
