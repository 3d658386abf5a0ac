/// Reads a chunked request body byte by byte and throws it away.
///
/// RFC 9112 §7.1 requires every HTTP/1.1 recipient to parse chunked bodies; a proxy may forward one
/// even to an auth endpoint, and rejecting it would turn a harmless request into an error. Decoding
/// costs no buffering: chunk data is skipped in bulk, and only the framing bytes are examined.
struct HTTPChunkedDiscarder: Sendable {
    private enum State: Sendable {
        case size
        case sizeWhitespace
        case sizeExtension
        case sizeLineFeed
        case data(remaining: Int)
        case dataCarriageReturn
        case dataLineFeed
        case trailerLineStart
        case trailerLine
        case trailerLineFeed
        case endLineFeed
    }

    /// A chunk-size line is a few hex digits; extensions are rare and never needed here.
    private static let maxSizeLineBytes = 1024

    private let maxBodyBytes: Int
    private var state = State.size
    private var chunkSize = 0
    private var sizeDigits = 0
    private var sizeLineBytes = 0
    /// Every byte of the body so far, framing and trailers included.
    private var total = 0

    init(maxBodyBytes: Int) {
        self.maxBodyBytes = maxBodyBytes
    }

    /// Consumes body bytes from the front of `buffer`.
    /// - Returns: how many bytes belonged to the body, and whether the body has ended.
    mutating func discard(_ buffer: UnsafeRawBufferPointer) throws(HTTPParseError) -> (Int, Bool) {
        var index = 0
        while index < buffer.count {
            if case .data(let remaining) = state {
                let count = min(remaining, buffer.count - index)
                index += count
                state = count == remaining ? .dataCarriageReturn : .data(remaining: remaining - count)
                continue
            }
            let byte = buffer[index]
            index += 1
            total += 1
            if total > maxBodyBytes { throw HTTPParseError(.bodyTooLarge) }
            if try step(byte) { return (index, true) }
        }
        return (index, false)
    }

    /// Advances over one framing byte; returns whether it was the last byte of the body.
    private mutating func step(_ byte: UInt8) throws(HTTPParseError) -> Bool {
        switch state {
        case .size, .sizeWhitespace, .sizeExtension:
            try sizeLine(byte)
        case .sizeLineFeed:
            try expect(byte, HTTPSyntax.lf)
            total += chunkSize
            if total > maxBodyBytes { throw HTTPParseError(.bodyTooLarge) }
            state = chunkSize == 0 ? .trailerLineStart : .data(remaining: chunkSize)
            chunkSize = 0
            sizeDigits = 0
            sizeLineBytes = 0
        case .data:
            break
        case .dataCarriageReturn:
            try expect(byte, HTTPSyntax.cr)
            state = .dataLineFeed
        case .dataLineFeed:
            try expect(byte, HTTPSyntax.lf)
            state = .size
        case .trailerLineStart:
            if byte == HTTPSyntax.cr {
                state = .endLineFeed
            } else if HTTPSyntax.isWhitespace(byte) {
                throw HTTPParseError(.obsoleteLineFolding)
            } else {
                try trailerByte(byte)
            }
        case .trailerLine:
            if byte == HTTPSyntax.cr { state = .trailerLineFeed } else { try trailerByte(byte) }
        case .trailerLineFeed:
            try expect(byte, HTTPSyntax.lf)
            state = .trailerLineStart
        case .endLineFeed:
            try expect(byte, HTTPSyntax.lf)
            return true
        }
        return false
    }

    /// `chunk-size [ BWS ";" chunk-ext ] CRLF`.
    private mutating func sizeLine(_ byte: UInt8) throws(HTTPParseError) {
        sizeLineBytes += 1
        if sizeLineBytes > Self.maxSizeLineBytes { throw HTTPParseError(.malformedChunk) }

        if case .size = state, let digit = HTTPSyntax.hexValue(byte) {
            sizeDigits += 1
            // Checked before it grows so it can never overflow.
            guard chunkSize <= (maxBodyBytes - digit) / 16 else { throw HTTPParseError(.bodyTooLarge) }
            chunkSize = chunkSize * 16 + digit
            return
        }
        guard sizeDigits > 0 else { throw HTTPParseError(.malformedChunk) }

        switch (state, byte) {
        case (_, HTTPSyntax.cr):
            state = .sizeLineFeed
        case (.sizeExtension, _) where HTTPSyntax.isFieldValue(byte):
            break
        case (_, UInt8(ascii: ";")):
            state = .sizeExtension
        case (_, _) where HTTPSyntax.isWhitespace(byte):
            state = .sizeWhitespace
        default:
            throw HTTPParseError(.malformedChunk)
        }
    }

    private mutating func trailerByte(_ byte: UInt8) throws(HTTPParseError) {
        guard HTTPSyntax.isFieldValue(byte) else {
            throw HTTPParseError(byte == HTTPSyntax.lf ? .bareLineFeed : .malformedChunk)
        }
        state = .trailerLine
    }

    private func expect(_ byte: UInt8, _ wanted: UInt8) throws(HTTPParseError) {
        guard byte == wanted else {
            throw HTTPParseError(wanted == HTTPSyntax.lf ? .bareCarriageReturn : .malformedChunk)
        }
    }
}
