/// Validates the lines of one request head as the parser finds them and assembles the head.
///
/// Each line arrives without its CRLF. The rules are RFC 9112's, read strictly: anything a lenient
/// peer might frame differently (whitespace before a colon, folded lines, bare CR, conflicting
/// lengths) is an error, because a bridge that frames a request differently from the proxy in front
/// of it can be made to answer for a request it never saw.
struct HTTPHeadBuilder {
    private var method = ""
    private var target = ""
    private var version = HTTPVersion.http11
    private(set) var headers: [Header] = []

    private var contentLength: Int?
    private var sawTransferEncoding = false
    private var chunkedCodings = 0
    private var otherCodings = 0
    private var hostCount = 0
    private var wantsClose = false
    private var wantsKeepAlive = false
    private var hasExpectation = false

    // MARK: Request line

    /// `method SP request-target SP HTTP-version`.
    mutating func requestLine(_ line: UnsafeRawBufferPointer) throws(HTTPParseError) {
        var index = 0
        while index < line.count, line[index] != HTTPSyntax.space {
            guard HTTPSyntax.isToken(line[index]) else { throw Self.error(line[index], else: .invalidMethod) }
            index += 1
        }
        guard index > 0, index < line.count else { throw HTTPParseError(.malformedRequestLine) }
        let methodEnd = index

        index += 1
        let targetStart = index
        while index < line.count, line[index] != HTTPSyntax.space {
            guard line[index] > 0x20, line[index] < 0x7F else { throw Self.error(line[index], else: .invalidTarget) }
            index += 1
        }
        guard index > targetStart, index < line.count else { throw HTTPParseError(.malformedRequestLine) }
        let targetEnd = index

        let versionBytes = UnsafeRawBufferPointer(rebasing: line[(index + 1)...])
        if let bad = versionBytes.first(where: { $0 < 0x21 || $0 > 0x7E }) {
            throw Self.error(bad, else: .malformedRequestLine)
        }
        version = try Self.version(versionBytes)
        method = String(decoding: UnsafeRawBufferPointer(rebasing: line[..<methodEnd]), as: UTF8.self)
        target = String(decoding: UnsafeRawBufferPointer(rebasing: line[targetStart..<targetEnd]), as: UTF8.self)
        guard Self.isAcceptedTargetForm(target) else { throw HTTPParseError(.invalidTarget) }
        // Proxies send about ten fields; growing the array one doubling at a time would cost more.
        headers.reserveCapacity(16)
    }

    private static func version(_ bytes: UnsafeRawBufferPointer) throws(HTTPParseError) -> HTTPVersion {
        guard bytes.count == 8, bytes.starts(with: "HTTP/".utf8), bytes[6] == UInt8(ascii: "."),
            case let major = bytes[5], case let minor = bytes[7],
            (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(major),
            (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(minor)
        else { throw HTTPParseError(.malformedRequestLine) }

        switch (major, minor) {
        case (UInt8(ascii: "1"), UInt8(ascii: "1")): return .http11
        case (UInt8(ascii: "1"), UInt8(ascii: "0")): return .http10
        default: throw HTTPParseError(.unsupportedVersion)
        }
    }

    /// Origin-form, `*`, or absolute-form with an http(s) scheme; authority-form belongs to CONNECT,
    /// which a bridge never serves.
    private static func isAcceptedTargetForm(_ target: String) -> Bool {
        if target.hasPrefix("/") || target == "*" { return true }
        let lowered = target.prefix(8).lowercased()
        return lowered.hasPrefix("http://") || lowered.hasPrefix("https://")
    }

    // MARK: Header lines

    /// `field-name ":" OWS field-value OWS`.
    mutating func headerLine(_ line: UnsafeRawBufferPointer) throws(HTTPParseError) {
        guard let first = line.first else { throw HTTPParseError(.malformedHeader) }
        if HTTPSyntax.isWhitespace(first) { throw HTTPParseError(.obsoleteLineFolding) }

        var index = 0
        while index < line.count, line[index] != HTTPSyntax.colon {
            let byte = line[index]
            guard HTTPSyntax.isToken(byte) else {
                throw HTTPSyntax.isWhitespace(byte)
                    ? HTTPParseError(.whitespaceBeforeColon) : Self.error(byte, else: .invalidHeaderName)
            }
            index += 1
        }
        guard index < line.count else { throw HTTPParseError(.malformedHeader) }
        guard index > 0 else { throw HTTPParseError(.invalidHeaderName) }
        let nameEnd = index

        var valueStart = nameEnd + 1
        var valueEnd = line.count
        for position in valueStart..<valueEnd where !HTTPSyntax.isFieldValue(line[position]) {
            throw Self.error(line[position], else: .invalidHeaderValue)
        }
        while valueStart < valueEnd, HTTPSyntax.isWhitespace(line[valueStart]) { valueStart += 1 }
        while valueEnd > valueStart, HTTPSyntax.isWhitespace(line[valueEnd - 1]) { valueEnd -= 1 }

        let name = String(unsafeUninitializedCapacity: nameEnd) { name in
            for position in 0..<nameEnd { name[position] = HTTPSyntax.lowercased(line[position]) }
            return nameEnd
        }
        let value = String(decoding: UnsafeRawBufferPointer(rebasing: line[valueStart..<valueEnd]), as: UTF8.self)
        try note(name: name, value: value)
        headers.append(Header(name, value))
    }

    /// Records the fields that decide framing and the connection's fate.
    private mutating func note(name: String, value: String) throws(HTTPParseError) {
        // Most fields are none of these, and their lengths rule them out cheaply.
        switch name.utf8.count {
        case 4, 6, 10, 14, 17: break
        default: return
        }
        switch name {
        case "content-length":
            guard contentLength == nil else { throw HTTPParseError(.duplicateContentLength) }
            guard !value.isEmpty, value.utf8.count <= 18, value.utf8.allSatisfy({ $0 &- 0x30 < 10 }),
                let length = Int(value)
            else { throw HTTPParseError(.invalidContentLength) }
            contentLength = length
        case "transfer-encoding":
            sawTransferEncoding = true
            HTTPSyntax.forEachListElement(value) { coding in
                if HTTPSyntax.equalsLowercased(coding, "chunked") { chunkedCodings += 1 } else { otherCodings += 1 }
            }
        case "host":
            hostCount += 1
        case "connection":
            HTTPSyntax.forEachListElement(value) { option in
                if HTTPSyntax.equalsLowercased(option, "close") { wantsClose = true }
                if HTTPSyntax.equalsLowercased(option, "keep-alive") { wantsKeepAlive = true }
            }
        case "expect":
            hasExpectation = true
        default:
            break
        }
    }

    // MARK: End of head

    /// The head, once the empty line has arrived.
    func finish(limits: HTTPLimits) throws(HTTPParseError) -> HTTPRequestHead {
        if version == .http11, hostCount == 0 { throw HTTPParseError(.missingHost) }
        if hostCount > 1 { throw HTTPParseError(.duplicateHost) }

        let body = try framing()
        if case .contentLength(let length) = body, length > limits.maxBodyBytes {
            throw HTTPParseError(.bodyTooLarge)
        }

        var keepAlive = version == .http11 ? !wantsClose : wantsKeepAlive && !wantsClose
        // The answer comes before any body is read; a client still waiting for "100 Continue" could
        // then send its body or skip it, and the two would be framed differently. Closing is unambiguous.
        if hasExpectation, body != .none, body != .contentLength(0) { keepAlive = false }

        return HTTPRequestHead(
            method: method, target: target, version: version, headers: headers, keepAlive: keepAlive, body: body)
    }

    private func framing() throws(HTTPParseError) -> HTTPBodyFraming {
        guard sawTransferEncoding else {
            return contentLength.map { .contentLength($0) } ?? .none
        }
        // RFC 9112 §6.1: a Transfer-Encoding in HTTP/1.0 means faulty framing; §6.3: with a
        // Content-Length as well, the message is a smuggling attempt until proven otherwise.
        if version == .http10 { throw HTTPParseError(.invalidTransferEncoding) }
        if contentLength != nil { throw HTTPParseError(.conflictingFraming) }
        if otherCodings > 0 { throw HTTPParseError(.unsupportedTransferEncoding) }
        // No coding at all is as ambiguous as chunked applied twice.
        guard chunkedCodings == 1 else { throw HTTPParseError(.invalidTransferEncoding) }
        return .chunked
    }

    /// A CR where it does not belong gets its own error; any other bad byte gets `code`.
    private static func error(_ byte: UInt8, else code: HTTPParseError.Code) -> HTTPParseError {
        HTTPParseError(byte == HTTPSyntax.cr ? .bareCarriageReturn : code)
    }
}
