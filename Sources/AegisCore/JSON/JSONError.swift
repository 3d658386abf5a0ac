/// Why a JSON text was rejected, and where.
///
/// Messages name the problem and a byte offset, never the input's content, so they are safe to log
/// and to send back even when the input carries a credential.
public struct JSONError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The kind of problem; compare against the static members.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: Hashable, Sendable {
            case unexpectedEnd, unexpectedByte, invalidNumber, invalidLiteral, invalidEscape
            case unpairedSurrogate, controlCharacter, invalidUTF8, tooDeep, trailingData
        }

        private let base: Base

        /// The input ended inside a value.
        public static let unexpectedEnd = Code(base: .unexpectedEnd)
        /// A byte that cannot start or continue a value here.
        public static let unexpectedByte = Code(base: .unexpectedByte)
        /// A number that does not follow the RFC 8259 grammar (`01`, `1.`, `-`, `.5`, `+1`).
        public static let invalidNumber = Code(base: .invalidNumber)
        /// Something that starts like `true`, `false` or `null` but is not.
        public static let invalidLiteral = Code(base: .invalidLiteral)
        /// A backslash escape other than `\" \\ \/ \b \f \n \r \t` and `\u` with four hex digits.
        public static let invalidEscape = Code(base: .invalidEscape)
        /// A `\u` escape of a UTF-16 surrogate without its partner.
        public static let unpairedSurrogate = Code(base: .unpairedSurrogate)
        /// A raw byte below 0x20 inside a string.
        public static let controlCharacter = Code(base: .controlCharacter)
        /// Bytes inside a string that are not well-formed UTF-8.
        public static let invalidUTF8 = Code(base: .invalidUTF8)
        /// Objects and arrays nested deeper than the reader allows.
        public static let tooDeep = Code(base: .tooDeep)
        /// Something other than whitespace after the value.
        public static let trailingData = Code(base: .trailingData)

        public var description: String {
            switch base {
            case .unexpectedEnd: "unexpected end of input"
            case .unexpectedByte: "unexpected character"
            case .invalidNumber: "invalid number"
            case .invalidLiteral: "invalid literal"
            case .invalidEscape: "invalid escape sequence"
            case .unpairedSurrogate: "unpaired UTF-16 surrogate escape"
            case .controlCharacter: "unescaped control character in string"
            case .invalidUTF8: "invalid UTF-8 in string"
            case .tooDeep: "nesting too deep"
            case .trailingData: "unexpected data after the value"
            }
        }
    }

    public var code: Code
    /// Byte offset into the input where the problem was found.
    public var offset: Int

    public init(_ code: Code, at offset: Int) {
        self.code = code
        self.offset = offset
    }

    /// For example `invalid number at byte 17`.
    public var description: String { "\(code) at byte \(offset)" }
}
