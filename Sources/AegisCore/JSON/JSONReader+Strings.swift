/// A string value located in a `JSONReader`'s input, already validated.
///
/// Holding a token instead of a `String` lets a decoder note where a value is and decode it only
/// if it turns out to be needed.
public struct JSONStringToken: Sendable, Equatable {
    /// Offsets of the bytes between the quotes.
    public let content: Range<Int>
    /// Whether the content contains backslash escapes; without them the content bytes are the
    /// string's UTF-8 exactly.
    public let hasEscapes: Bool

    /// The offsets of the whole token, quotes included.
    public var token: Range<Int> { (content.lowerBound - 1)..<(content.upperBound + 1) }
}

extension JSONReader {
    /// Reads a string value and returns where it is, after validating its escapes and its UTF-8.
    public mutating func readStringToken() throws(JSONError) -> JSONStringToken {
        skipWhitespace()
        guard position < input.count else { throw JSONError(.unexpectedEnd, at: position) }
        guard input[position] == UInt8(ascii: "\"") else { throw JSONError(.unexpectedByte, at: position) }
        let start = position + 1
        var index = start
        var hasEscapes = false
        while index < input.count {
            let byte = input[index]
            if byte == UInt8(ascii: "\"") {
                position = index + 1
                return JSONStringToken(content: start..<index, hasEscapes: hasEscapes)
            } else if byte == UInt8(ascii: "\\") {
                hasEscapes = true
                index = try escapeEnd(at: index)
            } else if byte < 0x20 {
                throw JSONError(.controlCharacter, at: index)
            } else if byte < 0x80 {
                index += 1
            } else {
                index = try scalarEnd(at: index)
            }
        }
        throw JSONError(.unexpectedEnd, at: index)
    }

    /// Reads a string value and decodes it.
    public mutating func readString() throws(JSONError) -> String {
        string(for: try readStringToken())
    }

    /// The decoded text of a string token from this reader.
    public func string(for token: JSONStringToken) -> String {
        if !token.hasEscapes {
            return String(decoding: UnsafeRawBufferPointer(rebasing: input[token.content]), as: UTF8.self)
        }
        var bytes: [UInt8] = []
        appendUnescaped(token, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends the decoded UTF-8 of a string token from this reader to `out`.
    public func appendUnescaped(_ token: JSONStringToken, to out: inout [UInt8]) {
        let content = UnsafeRawBufferPointer(rebasing: input[token.content])
        guard token.hasEscapes else {
            out.append(contentsOf: content)
            return
        }
        out.reserveCapacity(out.count + content.count)
        var index = 0
        while index < content.count {
            let byte = content[index]
            guard byte == UInt8(ascii: "\\"), index + 1 < content.count else {
                out.append(byte)
                index += 1
                continue
            }
            switch content[index + 1] {
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = UInt32(hex4(content, at: index + 2) ?? 0xFFFD)
                index += 6
                if scalar & 0xFC00 == 0xD800, let low = hex4(content, at: index + 2) {
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (UInt32(low) - 0xDC00)
                    index += 6
                }
                appendUTF8(Unicode.Scalar(scalar) ?? "\u{FFFD}", to: &out)
                continue
            default: out.append(content[index + 1])
            }
            index += 2
        }
    }

    /// Whether a string token from this reader decodes to exactly `text` (ASCII).
    public func equals(_ token: JSONStringToken, _ text: StaticString) -> Bool {
        compare(token, text, foldingCase: false)
    }

    /// Whether a string token from this reader decodes to `text` (ASCII, lower case) when ASCII
    /// letters are compared without case, as HTTP header names are.
    public func equalsIgnoringCase(_ token: JSONStringToken, _ text: StaticString) -> Bool {
        compare(token, text, foldingCase: true)
    }

    // MARK: - Helpers

    private func compare(_ token: JSONStringToken, _ text: StaticString, foldingCase: Bool) -> Bool {
        let expected = UnsafeRawBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount)
        if !token.hasEscapes {
            return Self.bytesEqual(UnsafeRawBufferPointer(rebasing: input[token.content]), expected, foldingCase)
        }
        var decoded: [UInt8] = []
        appendUnescaped(token, to: &decoded)
        return decoded.withUnsafeBytes { Self.bytesEqual($0, expected, foldingCase) }
    }

    private static func bytesEqual(
        _ actual: UnsafeRawBufferPointer, _ expected: UnsafeRawBufferPointer, _ foldingCase: Bool
    ) -> Bool {
        guard actual.count == expected.count else { return false }
        for index in 0..<actual.count {
            var byte = actual[index]
            if foldingCase, byte &- UInt8(ascii: "A") < 26 { byte |= 0x20 }
            if byte != expected[index] { return false }
        }
        return true
    }

    /// Validates the escape starting at the backslash at `index`; returns the offset after it.
    private func escapeEnd(at index: Int) throws(JSONError) -> Int {
        guard index + 1 < input.count else { throw JSONError(.unexpectedEnd, at: index + 1) }
        switch input[index + 1] {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
            UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
            return index + 2
        case UInt8(ascii: "u"):
            let unit = try hexEscape(at: index)
            switch unit {
            case 0xD800...0xDBFF:
                guard index + 7 < input.count, input[index + 6] == UInt8(ascii: "\\"),
                    input[index + 7] == UInt8(ascii: "u"),
                    case 0xDC00...0xDFFF = try hexEscape(at: index + 6)
                else { throw JSONError(.unpairedSurrogate, at: index) }
                return index + 12
            case 0xDC00...0xDFFF:
                throw JSONError(.unpairedSurrogate, at: index)
            default:
                return index + 6
            }
        default:
            throw JSONError(.invalidEscape, at: index)
        }
    }

    /// The code unit of the `\u` escape (four hex digits) whose backslash is at `index`.
    private func hexEscape(at index: Int) throws(JSONError) -> UInt16 {
        guard index + 6 <= input.count else { throw JSONError(.unexpectedEnd, at: input.count) }
        guard let unit = hex4(input, at: index + 2) else { throw JSONError(.invalidEscape, at: index) }
        return unit
    }

    private func hex4(_ bytes: UnsafeRawBufferPointer, at index: Int) -> UInt16? {
        guard index + 4 <= bytes.count else { return nil }
        var value: UInt16 = 0
        for offset in 0..<4 {
            let byte = bytes[index + offset]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: return nil
            }
            value = value << 4 | UInt16(digit)
        }
        return value
    }

    /// Validates the multi-byte UTF-8 sequence starting at `index` (RFC 3629, table 3-7 of the
    /// Unicode standard); returns the offset after it.
    private func scalarEnd(at index: Int) throws(JSONError) -> Int {
        let lead = input[index]
        let length: Int
        var secondRange: ClosedRange<UInt8> = 0x80...0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0:
            length = 3
            secondRange = 0xA0...0xBF
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED:
            length = 3
            secondRange = 0x80...0x9F
        case 0xF0:
            length = 4
            secondRange = 0x90...0xBF
        case 0xF1...0xF3: length = 4
        case 0xF4:
            length = 4
            secondRange = 0x80...0x8F
        default: throw JSONError(.invalidUTF8, at: index)
        }
        guard index + length <= input.count else { throw JSONError(.unexpectedEnd, at: input.count) }
        guard secondRange.contains(input[index + 1]) else { throw JSONError(.invalidUTF8, at: index) }
        for offset in 2..<length where input[index + offset] & 0xC0 != 0x80 {
            throw JSONError(.invalidUTF8, at: index)
        }
        return index + length
    }

    private func appendUTF8(_ scalar: Unicode.Scalar, to out: inout [UInt8]) {
        let value = scalar.value
        switch value {
        case 0..<0x80:
            out.append(UInt8(value))
        case 0x80..<0x800:
            out.append(0xC0 | UInt8(value >> 6))
            out.append(0x80 | UInt8(value & 0x3F))
        case 0x800..<0x10000:
            out.append(0xE0 | UInt8(value >> 12))
            out.append(0x80 | UInt8(value >> 6 & 0x3F))
            out.append(0x80 | UInt8(value & 0x3F))
        default:
            out.append(0xF0 | UInt8(value >> 18))
            out.append(0x80 | UInt8(value >> 12 & 0x3F))
            out.append(0x80 | UInt8(value >> 6 & 0x3F))
            out.append(0x80 | UInt8(value & 0x3F))
        }
    }
}
