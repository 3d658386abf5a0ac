import Testing

@testable import AegisCore

@Suite struct HTTPRequestParserErrorTests {
    private static let host = "Host: h\r\n"

    @Test(arguments: [
        ("GET  / HTTP/1.1\r\n", HTTPParseError.Code.malformedRequestLine),
        ("GET /\r\n", .malformedRequestLine),
        ("GET\r\n", .malformedRequestLine),
        (" GET / HTTP/1.1\r\n", .malformedRequestLine),
        ("GET / HTTP/1.1 \r\n", .malformedRequestLine),
        ("GET / HTTP/1.1x\r\n", .malformedRequestLine),
        ("GET / http/1.1\r\n", .malformedRequestLine),
        ("GET / HTTP/1\r\n", .malformedRequestLine),
        ("GET / HTTP/1.1\u{0}\r\n", .malformedRequestLine),
        ("G(T / HTTP/1.1\r\n", .invalidMethod),
        ("G\u{0}T / HTTP/1.1\r\n", .invalidMethod),
        ("GET\t/ HTTP/1.1\r\n", .invalidMethod),
        ("GET /a\u{7F} HTTP/1.1\r\n", .invalidTarget),
        ("GET /caf\u{E9} HTTP/1.1\r\n", .invalidTarget),
        ("GET /a\tb HTTP/1.1\r\n", .invalidTarget),
        ("GET relative HTTP/1.1\r\n", .invalidTarget),
        ("CONNECT h.example:443 HTTP/1.1\r\n", .invalidTarget),
        ("GET / HTTP/2.0\r\n", .unsupportedVersion),
        ("GET / HTTP/0.9\r\n", .unsupportedVersion),
        ("GET / HTTP/1.1\n", .bareLineFeed),
        ("\n", .bareLineFeed),
        ("GET /\r HTTP/1.1\r\n", .bareCarriageReturn),
        ("GET / HTTP/1.1\r\r\n", .bareCarriageReturn),
    ])
    func rejectsBadRequestLines(line: String, code: HTTPParseError.Code) {
        #expect(parse(line + Self.host + "\r\n").error == HTTPParseError(code))
    }

    @Test(arguments: [
        ("Host : h\r\n", HTTPParseError.Code.whitespaceBeforeColon),
        ("X-A\t: v\r\n", .whitespaceBeforeColon),
        ("X A: v\r\n", .whitespaceBeforeColon),
        (" X-Folded: v\r\n", .obsoleteLineFolding),
        ("X-A: v\r\n continued\r\n", .obsoleteLineFolding),
        ("X-A: v\r\n\tcontinued\r\n", .obsoleteLineFolding),
        ("X(A): v\r\n", .invalidHeaderName),
        (": v\r\n", .invalidHeaderName),
        ("X-\u{E9}: v\r\n", .invalidHeaderName),
        ("NoColon\r\n", .malformedHeader),
        ("X-A: a\u{1}b\r\n", .invalidHeaderValue),
        ("X-A: a\u{0}\r\n", .invalidHeaderValue),
        ("X-A: a\u{7F}\r\n", .invalidHeaderValue),
        ("X-A: a\rb\r\n", .bareCarriageReturn),
        ("X-A\r: b\r\n", .bareCarriageReturn),
        ("X-A: b\n", .bareLineFeed),
        ("X-A: b\r\n\n", .bareLineFeed),
    ])
    func rejectsBadHeaderLines(lines: String, code: HTTPParseError.Code) {
        #expect(parse("GET / HTTP/1.1\r\n" + Self.host + lines + "\r\n").error == HTTPParseError(code))
    }

    @Test(arguments: [
        ("GET / HTTP/1.1\r\n\r\n", HTTPParseError.Code.missingHost),
        ("GET / HTTP/1.1\r\nHost: a\r\nhost: a\r\n\r\n", .duplicateHost),
        ("GET / HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n", .duplicateHost),
    ])
    func enforcesExactlyOneHost(request: String, code: HTTPParseError.Code) {
        #expect(parse(request).error == HTTPParseError(code))
    }

    @Test(arguments: [
        ("Content-Length: abc\r\n", HTTPParseError.Code.invalidContentLength),
        ("Content-Length: -1\r\n", .invalidContentLength),
        ("Content-Length: +5\r\n", .invalidContentLength),
        ("Content-Length: 5, 5\r\n", .invalidContentLength),
        ("Content-Length: 5 5\r\n", .invalidContentLength),
        ("Content-Length:\r\n", .invalidContentLength),
        ("Content-Length: 0x10\r\n", .invalidContentLength),
        ("Content-Length: 1234567890123456789\r\n", .invalidContentLength),
        ("Content-Length: 3\r\nContent-Length: 3\r\n", .duplicateContentLength),
        ("Content-Length: 3\r\nTransfer-Encoding: chunked\r\n", .conflictingFraming),
        ("Transfer-Encoding: chunked\r\nContent-Length: 3\r\n", .conflictingFraming),
        ("Transfer-Encoding: gzip\r\n", .unsupportedTransferEncoding),
        ("Transfer-Encoding: gzip, chunked\r\n", .unsupportedTransferEncoding),
        ("Transfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n", .unsupportedTransferEncoding),
        ("Transfer-Encoding: chunked, chunked\r\n", .invalidTransferEncoding),
        ("Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n", .invalidTransferEncoding),
        ("Transfer-Encoding:\r\n", .invalidTransferEncoding),
        ("Transfer-Encoding: , \t,\r\nContent-Length: 0\r\n", .conflictingFraming),
        ("Transfer-Encoding: ,\r\n", .invalidTransferEncoding),
        ("Content-Length: 1048577\r\n", .bodyTooLarge),
    ])
    func rejectsAmbiguousFraming(lines: String, code: HTTPParseError.Code) {
        let run = parse("POST / HTTP/1.1\r\n" + Self.host + lines + "\r\n")
        #expect(run.error == HTTPParseError(code))
        #expect(run.heads.isEmpty)
    }

    @Test func rejectsTransferEncodingInHTTP10() {
        let run = parse("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
        #expect(run.error == HTTPParseError(.invalidTransferEncoding))
    }

    @Test(arguments: [
        ("zz\r\n", HTTPParseError.Code.malformedChunk),
        ("\r\n", .malformedChunk),
        (";x\r\n", .malformedChunk),
        ("5 x\r\n", .malformedChunk),
        ("5\n", .malformedChunk),
        ("5;a\u{1}\r\n", .malformedChunk),
        ("5\rX", .bareCarriageReturn),
        ("3\r\nabcX", .malformedChunk),
        ("3\r\nabc\rX", .bareCarriageReturn),
        ("0\r\nT: v\n", .bareLineFeed),
        ("0\r\nT: \u{1}\r\n", .malformedChunk),
        ("0\r\n folded\r\n", .obsoleteLineFolding),
        ("0\r\n\rX", .bareCarriageReturn),
        ("100000\r\n", .bodyTooLarge),
        ("FFFFFFFFFFFFFFFFFFFFFFFF\r\n", .bodyTooLarge),
        ("0;" + String(repeating: "e", count: 1100) + "\r\n", .malformedChunk),
    ])
    func rejectsBadChunkedBodies(body: String, code: HTTPParseError.Code) {
        let run = parse("POST / HTTP/1.1\r\n" + Self.host + "Transfer-Encoding: chunked\r\n\r\n" + body)
        #expect(run.heads.count == 1)
        #expect(run.error == HTTPParseError(code, inBody: true))
    }

    @Test func limitsChunkedBodiesAndTrailersInTotal() {
        let limits = HTTPLimits(maxBodyBytes: 40)
        let start = "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
        let fits = "A\r\n0123456789\r\n0\r\nT: 12345\r\n\r\n"
        #expect(fits.utf8.count <= 40)
        #expect(parse(start + fits, limits: limits).error == nil)
        let tooMany = "1\r\na\r\n1\r\na\r\n1\r\na\r\n1\r\na\r\n1\r\na\r\n1\r\na\r\n0\r\n\r\n"
        #expect(parse(start + tooMany, limits: limits).error == HTTPParseError(.bodyTooLarge, inBody: true))
    }

    @Test func limitsTheRequestLine() {
        let exact = "GET /" + String(repeating: "a", count: 8192 - 14) + " HTTP/1.1"
        #expect(exact.utf8.count == 8192)
        #expect(parse(exact + "\r\n" + Self.host + "\r\n").error == nil)

        let long = "GET /" + String(repeating: "a", count: 8192 - 13) + " HTTP/1.1"
        #expect(parse(long + "\r\n" + Self.host + "\r\n").error == HTTPParseError(.requestLineTooLong))
        // No line end needed to know it is too long.
        let unterminated = parse("GET /" + String(repeating: "a", count: 9000))
        #expect(unterminated.error == HTTPParseError(.requestLineTooLong))
        #expect(parse("GET /" + String(repeating: "a", count: 8000)).error == nil)
        // Empty lines before the request line count against the same limit.
        #expect(parse(String(repeating: "\r\n", count: 5000)).error == HTTPParseError(.requestLineTooLong))
    }

    @Test func limitsTheHeaderCount() {
        let fields = (0..<99).map { "X-\($0): v\r\n" }.joined()
        #expect(parse("GET / HTTP/1.1\r\n" + Self.host + fields + "\r\n").heads.first?.headers.count == 100)
        let tooMany = parse("GET / HTTP/1.1\r\n" + Self.host + fields + "X-Last: v\r\n\r\n")
        #expect(tooMany.error == HTTPParseError(.tooManyHeaders))
        let custom = parse("GET / HTTP/1.1\r\nHost: h\r\nA: 1\r\n\r\n", limits: HTTPLimits(maxHeaderCount: 1))
        #expect(custom.error == HTTPParseError(.tooManyHeaders))
    }

    @Test func limitsTheHeaderBytes() {
        let big = "X-Big: " + String(repeating: "b", count: 32 * 1024 - 9 - 9 - 2) + "\r\n"
        let exact = "Host: h\r\n" + big + "\r\n"
        #expect(exact.utf8.count == 32 * 1024)
        #expect(parse("GET / HTTP/1.1\r\n" + exact).error == nil)
        let over = parse("GET / HTTP/1.1\r\n" + "Host: hh\r\n" + big + "\r\n")
        #expect(over.error == HTTPParseError(.headersTooLarge))
        let unterminated = parse("GET / HTTP/1.1\r\nX: " + String(repeating: "b", count: 33 * 1024))
        #expect(unterminated.error == HTTPParseError(.headersTooLarge))
    }

    @Test func mapsCodesToStatuses() {
        #expect(HTTPParseError(.malformedRequestLine).status == 400)
        #expect(HTTPParseError(.bareCarriageReturn).status == 400)
        #expect(HTTPParseError(.conflictingFraming).status == 400)
        #expect(HTTPParseError(.requestLineTooLong).status == 414)
        #expect(HTTPParseError(.tooManyHeaders).status == 431)
        #expect(HTTPParseError(.headersTooLarge).status == 431)
        #expect(HTTPParseError(.bodyTooLarge).status == 413)
        #expect(HTTPParseError(.unsupportedTransferEncoding).status == 501)
        #expect(HTTPParseError(.unsupportedVersion).status == 505)
        #expect(HTTPParseError(.obsoleteLineFolding).message == "folded header lines are not allowed")
    }
}
