extension RequestFields {
    /// The API key: `api_key`, else the `x-api-key` header, else an `authorization: Bearer`
    /// header. Empty values count as absent, so the next source is tried.
    func credential(in reader: JSONReader) -> String? {
        if let apiKey, !apiKey.content.isEmpty {
            return reader.string(for: apiKey)
        }
        if let xAPIKey, let key = Self.withDecoded(xAPIKey, in: reader, Self.trimmed) {
            return key
        }
        if let authorization {
            return Self.withDecoded(authorization, in: reader, Self.bearerToken)
        }
        return nil
    }

    /// Calls `body` with a string token's decoded bytes, copying only when it has escapes.
    private static func withDecoded(
        _ token: JSONStringToken, in reader: JSONReader, _ body: (UnsafeRawBufferPointer) -> String?
    ) -> String? {
        guard token.hasEscapes else { return body(UnsafeRawBufferPointer(rebasing: reader.input[token.content])) }
        var decoded: [UInt8] = []
        reader.appendUnescaped(token, to: &decoded)
        return decoded.withUnsafeBytes(body)
    }

    /// The credential of a `Bearer` authorization value (RFC 6750: the scheme, whitespace, the
    /// token), with the scheme compared without case.
    private static func bearerToken(_ value: UnsafeRawBufferPointer) -> String? {
        let scheme: StaticString = "bearer"
        var index = 0
        while index < value.count, isSpace(value[index]) { index += 1 }
        guard value.count - index > scheme.utf8CodeUnitCount else { return nil }
        for offset in 0..<scheme.utf8CodeUnitCount {
            let byte = value[index + offset]
            let folded = byte &- UInt8(ascii: "A") < 26 ? byte | 0x20 : byte
            if folded != scheme.utf8Start[offset] { return nil }
        }
        index += scheme.utf8CodeUnitCount
        guard isSpace(value[index]) else { return nil }
        return trimmed(UnsafeRawBufferPointer(rebasing: value[index...]))
    }

    /// `value` without surrounding spaces and tabs, or `nil` when nothing is left.
    private static func trimmed(_ value: UnsafeRawBufferPointer) -> String? {
        var start = 0
        var end = value.count
        while start < end, isSpace(value[start]) { start += 1 }
        while end > start, isSpace(value[end - 1]) { end -= 1 }
        guard start < end else { return nil }
        return String(decoding: UnsafeRawBufferPointer(rebasing: value[start..<end]), as: UTF8.self)
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t")
    }
}
