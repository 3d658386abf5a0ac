/// Byte classes of RFC 9110 and RFC 9112, shared by the parser and the response writer.
enum HTTPSyntax {
    static let cr = UInt8(ascii: "\r")
    static let lf = UInt8(ascii: "\n")
    static let space = UInt8(ascii: " ")
    static let tab = UInt8(ascii: "\t")
    static let colon = UInt8(ascii: ":")

    /// `tchar`: the bytes of a method or a field name.
    @inline(__always)
    static func isToken(_ byte: UInt8) -> Bool {
        // One bit per ASCII byte: `!#$%&'*+-.^_`|~`, digits and letters. A lookup without branches
        // matters here, since every byte of every field name passes through it.
        let low: UInt64 = 0x03FF_6CFA_0000_0000
        let high: UInt64 = 0x57FF_FFFF_C7FF_FFFE
        let mask = byte < 64 ? low : high
        return byte < 128 && (mask >> (byte & 63)) & 1 == 1
    }

    /// A byte allowed inside a field value: visible characters, obs-text, space and tab.
    @inline(__always)
    static func isFieldValue(_ byte: UInt8) -> Bool {
        byte >= 0x20 ? byte != 0x7F : byte == tab
    }

    @inline(__always)
    static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == space || byte == tab
    }

    @inline(__always)
    static func lowercased(_ byte: UInt8) -> UInt8 {
        byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
    }

    /// Whether `bytes`, with ASCII letters lower-cased, are `lowercased`.
    static func equalsLowercased(_ bytes: UnsafeRawBufferPointer, _ lowercased: StaticString) -> Bool {
        guard bytes.count == lowercased.utf8CodeUnitCount else { return false }
        for index in 0..<bytes.count where self.lowercased(bytes[index]) != lowercased.utf8Start[index] {
            return false
        }
        return true
    }

    /// The value of a hexadecimal digit, or `nil`.
    @inline(__always)
    static func hexValue(_ byte: UInt8) -> Int? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): Int(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): Int(byte - UInt8(ascii: "a")) + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): Int(byte - UInt8(ascii: "A")) + 10
        default: nil
        }
    }

    /// Calls `body` with each element of a comma-separated list value, without surrounding
    /// spaces and tabs; empty elements are skipped, as RFC 9110 §5.6.1 asks of recipients.
    static func forEachListElement(_ value: String, _ body: (UnsafeRawBufferPointer) -> Void) {
        var value = value
        value.withUTF8 { bytes in
            var start = 0
            while start <= bytes.count {
                var end = start
                while end < bytes.count, bytes[end] != UInt8(ascii: ",") { end += 1 }
                var first = start
                var last = end
                while first < last, isWhitespace(bytes[first]) { first += 1 }
                while last > first, isWhitespace(bytes[last - 1]) { last -= 1 }
                if first < last { body(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: bytes[first..<last]))) }
                start = end + 1
            }
        }
    }

    static func trimmed(_ text: Substring) -> Substring {
        var text = text
        while let first = text.first, first == " " || first == "\t" { text.removeFirst() }
        while let last = text.last, last == " " || last == "\t" { text.removeLast() }
        return text
    }
}
