/// The kind of value that starts at a reader's position.
public enum JSONValueKind: Sendable, Equatable {
    case object, array, string, number, bool, null
}

/// A strict RFC 8259 pull parser over UTF-8 bytes, for decoding without building a tree.
///
/// The caller walks the document it expects (`readObject`, `readString`, `readNumber`, ...) and
/// skips what it does not care about with `skipValue()`, which still validates it. Strings are
/// returned as tokens pointing into the input, so a value the caller does not need is never
/// copied. Everything is checked: the grammar, UTF-8 inside strings (no overlong forms, no
/// encoded surrogates, nothing above U+10FFFF), escapes including surrogate pairs, and the
/// nesting depth. Numbers are kept as their raw text; `JSONNumber` interprets them.
///
/// - Warning: The reader borrows `input`; it and every token it returns are only meaningful while
///   that memory is alive and unchanged.
public struct JSONReader {
    /// The bytes being parsed.
    public let input: UnsafeRawBufferPointer
    /// Offset of the next unread byte.
    public internal(set) var position: Int = 0
    /// How many objects and arrays may be open at once.
    public let maxDepth: Int
    private var depth = 0

    /// - Parameters:
    ///   - input: One JSON text, borrowed for the reader's lifetime.
    ///   - maxDepth: Deepest nesting of objects and arrays accepted; deeper input is rejected with
    ///     `.tooDeep` instead of exhausting the stack.
    public init(_ input: UnsafeRawBufferPointer, maxDepth: Int = 64) {
        self.input = input
        self.maxDepth = max(1, maxDepth)
    }

    /// Checks that `bytes` is exactly one valid JSON text (surrounding whitespace allowed).
    public static func validate(_ bytes: UnsafeRawBufferPointer, maxDepth: Int = 64) throws(JSONError) {
        var reader = JSONReader(bytes, maxDepth: maxDepth)
        _ = try reader.skipValue()
        try reader.finish()
    }

    // MARK: - Structure

    /// The kind of the next value, after skipping whitespace; nothing is consumed.
    /// - Throws: `.unexpectedEnd` at the end of input, `.unexpectedByte` if no value starts here.
    public mutating func peekKind() throws(JSONError) -> JSONValueKind {
        skipWhitespace()
        guard position < input.count else { throw JSONError(.unexpectedEnd, at: position) }
        switch input[position] {
        case UInt8(ascii: "{"): return .object
        case UInt8(ascii: "["): return .array
        case UInt8(ascii: "\""): return .string
        case UInt8(ascii: "t"), UInt8(ascii: "f"): return .bool
        case UInt8(ascii: "n"): return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number
        default: throw JSONError(.unexpectedByte, at: position)
        }
    }

    /// Reads an object, calling `member` once per member with the reader positioned at its value.
    ///
    /// `member` must consume exactly one value (read it or `skipValue()` it). Duplicate names are
    /// passed through as they come; deciding what they mean is the caller's business.
    public mutating func readObject(
        _ member: (inout JSONReader, JSONStringToken) throws(JSONError) -> Void
    ) throws(JSONError) {
        try open(UInt8(ascii: "{"))
        if closeIfNext(UInt8(ascii: "}")) { return }
        while true {
            skipWhitespace()
            guard position < input.count else { throw JSONError(.unexpectedEnd, at: position) }
            guard input[position] == UInt8(ascii: "\"") else { throw JSONError(.unexpectedByte, at: position) }
            let name = try readStringToken()
            try expect(UInt8(ascii: ":"))
            try member(&self, name)
            if try endOfMember(closing: UInt8(ascii: "}")) { return }
        }
    }

    /// Reads an array, calling `element` once per element with the reader positioned at it.
    /// `element` must consume exactly one value.
    public mutating func readArray(_ element: (inout JSONReader) throws(JSONError) -> Void) throws(JSONError) {
        try open(UInt8(ascii: "["))
        if closeIfNext(UInt8(ascii: "]")) { return }
        while true {
            try element(&self)
            if try endOfMember(closing: UInt8(ascii: "]")) { return }
        }
    }

    /// Validates and passes over the next value of any kind.
    /// - Returns: The byte range of the value's text (a string's range includes its quotes).
    @discardableResult
    public mutating func skipValue() throws(JSONError) -> Range<Int> {
        let kind = try peekKind()
        let start = position
        switch kind {
        case .object: try readObject { reader, _ throws(JSONError) in try reader.skipValue() }
        case .array: try readArray { reader throws(JSONError) in try reader.skipValue() }
        case .string: _ = try readStringToken()
        case .number: _ = try readNumber()
        case .bool: _ = try readBool()
        case .null: try readNull()
        }
        return start..<position
    }

    /// Requires that only whitespace remains.
    /// - Throws: `.trailingData` otherwise.
    public mutating func finish() throws(JSONError) {
        skipWhitespace()
        guard position == input.count else { throw JSONError(.trailingData, at: position) }
    }

    // MARK: - Scalars

    /// Reads a number and returns the range of its text, which follows RFC 8259's grammar.
    public mutating func readNumber() throws(JSONError) -> Range<Int> {
        skipWhitespace()
        let start = position
        var index = position
        if index < input.count, input[index] == UInt8(ascii: "-") { index += 1 }
        guard index < input.count else { throw JSONError(.unexpectedEnd, at: index) }
        if input[index] == UInt8(ascii: "0") {
            index += 1
        } else if isDigit(at: index) {
            index = digitsEnd(from: index)
        } else {
            throw JSONError(.invalidNumber, at: index)
        }
        if index < input.count, input[index] == UInt8(ascii: ".") {
            index += 1
            guard isDigit(at: index) else { throw JSONError(.invalidNumber, at: index) }
            index = digitsEnd(from: index)
        }
        if index < input.count, input[index] | 0x20 == UInt8(ascii: "e") {
            index += 1
            if index < input.count, input[index] == UInt8(ascii: "+") || input[index] == UInt8(ascii: "-") {
                index += 1
            }
            guard isDigit(at: index) else { throw JSONError(.invalidNumber, at: index) }
            index = digitsEnd(from: index)
        }
        position = index
        return start..<index
    }

    /// Reads `true` or `false`.
    public mutating func readBool() throws(JSONError) -> Bool {
        skipWhitespace()
        if position < input.count, input[position] == UInt8(ascii: "t") {
            try readLiteral("true")
            return true
        }
        try readLiteral("false")
        return false
    }

    /// Reads `null`.
    public mutating func readNull() throws(JSONError) {
        skipWhitespace()
        try readLiteral("null")
    }

    // MARK: - Helpers

    mutating func skipWhitespace() {
        while position < input.count {
            switch input[position] {
            case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"): position += 1
            default: return
            }
        }
    }

    private mutating func open(_ bracket: UInt8) throws(JSONError) {
        try expect(bracket)
        guard depth < maxDepth else { throw JSONError(.tooDeep, at: position - 1) }
        depth += 1
    }

    private mutating func closeIfNext(_ bracket: UInt8) -> Bool {
        skipWhitespace()
        guard position < input.count, input[position] == bracket else { return false }
        position += 1
        depth -= 1
        return true
    }

    /// After a member or element: consumes `,` (more follow) or the closing bracket (done).
    private mutating func endOfMember(closing bracket: UInt8) throws(JSONError) -> Bool {
        skipWhitespace()
        guard position < input.count else { throw JSONError(.unexpectedEnd, at: position) }
        switch input[position] {
        case UInt8(ascii: ","):
            position += 1
            return false
        case bracket:
            position += 1
            depth -= 1
            return true
        default:
            throw JSONError(.unexpectedByte, at: position)
        }
    }

    private mutating func expect(_ byte: UInt8) throws(JSONError) {
        skipWhitespace()
        guard position < input.count else { throw JSONError(.unexpectedEnd, at: position) }
        guard input[position] == byte else { throw JSONError(.unexpectedByte, at: position) }
        position += 1
    }

    private mutating func readLiteral(_ literal: StaticString) throws(JSONError) {
        let count = literal.utf8CodeUnitCount
        let base = literal.utf8Start
        for offset in 0..<count {
            guard position + offset < input.count else { throw JSONError(.unexpectedEnd, at: position + offset) }
            guard input[position + offset] == base[offset] else {
                throw JSONError(.invalidLiteral, at: position + offset)
            }
        }
        position += count
    }

    private func isDigit(at index: Int) -> Bool {
        index < input.count && input[index] &- UInt8(ascii: "0") < 10
    }

    private func digitsEnd(from index: Int) -> Int {
        var index = index
        while isDigit(at: index) { index += 1 }
        return index
    }
}
