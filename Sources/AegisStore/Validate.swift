/// Checks on values before they reach SQL, so bad input gets a plain message instead of a
/// PostgreSQL error.
enum Validate {
    static let maximumNameLength = 100

    /// Whether the text is a UUID in the 8-4-4-4-12 hex form (any version).
    static func isUUID(_ text: String) -> Bool {
        let utf8 = text.utf8
        guard utf8.count == 36 else { return false }
        for (offset, byte) in utf8.enumerated() {
            switch offset {
            case 8, 13, 18, 23:
                guard byte == UInt8(ascii: "-") else { return false }
            default:
                guard byte.isHexDigit else { return false }
            }
        }
        return true
    }

    static func uuid(_ text: String, _ what: String) throws(StoreError) {
        guard isUUID(text) else { throw StoreError(.invalidInput, "\(what) '\(text)' is not a UUID") }
    }

    static func month(year: Int, month: Int) throws(StoreError) {
        guard (1970...9999).contains(year), (1...12).contains(month) else {
            throw StoreError(.invalidInput, "no such month: \(year)-\(month)")
        }
    }

    /// Plan and tenant names: 1 to 100 characters, no control characters, no surrounding spaces,
    /// and not shaped like a UUID, so "an id or a name" is never ambiguous.
    static func name(_ name: String, _ what: String) throws(StoreError) {
        guard !name.isEmpty else { throw StoreError(.invalidInput, "the \(what) name is empty") }
        guard name.count <= maximumNameLength else {
            throw StoreError(.invalidInput, "the \(what) name is longer than \(maximumNameLength) characters")
        }
        guard !name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw StoreError(.invalidInput, "the \(what) name contains a control character")
        }
        guard name.first?.isWhitespace == false, name.last?.isWhitespace == false else {
            throw StoreError(.invalidInput, "the \(what) name '\(name)' starts or ends with a space")
        }
        guard !isUUID(name) else {
            throw StoreError(.invalidInput, "the \(what) name '\(name)' looks like an id; choose another")
        }
    }
}

extension UInt8 {
    fileprivate var isHexDigit: Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(self) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(self)
            || (UInt8(ascii: "A")...UInt8(ascii: "F")).contains(self)
    }
}
