import Testing

@testable import AegisCore

@Suite struct HTTPRequestParserTests {
    @Test func parsesARequestHead() throws {
        let run = parse("GET /auth/protected?x=1 HTTP/1.1\r\nHost: a.example\r\nX-Api-Key:  k1 \t\r\nX-Empty:\r\n\r\n")
        let head = try #require(run.heads.first)
        #expect(run.heads.count == 1 && run.error == nil && run.leftover.isEmpty)
        #expect(head.method == "GET")
        #expect(head.target == "/auth/protected?x=1")
        #expect(head.path == "/auth/protected")
        #expect(head.version == .http11)
        #expect(head.headers == [Header("host", "a.example"), Header("x-api-key", "k1"), Header("x-empty", "")])
        #expect(head.header("x-api-key") == "k1")
        #expect(head.keepAlive)
        #expect(head.body == .none)
    }

    @Test func keepsObsTextInValues() throws {
        let head = try #require(parseHead("GET / HTTP/1.1\r\nHost: h\r\nX-Name: caf\u{E9}\r\n\r\n"))
        #expect(head.header("x-name") == "caf\u{E9}")
    }

    @Test(arguments: [
        ("GET / HTTP/1.1\r\nHost: h\r\n\r\n", true),
        ("GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n", false),
        ("GET / HTTP/1.1\r\nHost: h\r\nConnection: Upgrade, CLOSE\r\n\r\n", false),
        ("GET / HTTP/1.1\r\nHost: h\r\nConnection: keep-alive\r\nConnection: close\r\n\r\n", false),
        ("GET / HTTP/1.0\r\n\r\n", false),
        ("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", true),
        ("GET / HTTP/1.0\r\nConnection: keep-alive, close\r\n\r\n", false),
        ("GET / HTTP/1.0\r\nConnection: ,, TE ,keep-alive\t\r\n\r\n", true),
        ("GET / HTTP/1.0\r\nConnection: keep-alives\r\n\r\n", false),
        ("POST / HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n", false),
        ("POST / HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 0\r\n\r\n", true),
    ])
    func decidesKeepAlive(request: String, keepAlive: Bool) throws {
        #expect(try #require(parseHead(request)).keepAlive == keepAlive)
    }

    @Test func acceptsAbsoluteFormAndAsterisk() throws {
        let absolute = try #require(parseHead("GET http://h.example:8080/a/b?q=1 HTTP/1.1\r\nHost: h\r\n\r\n"))
        #expect(absolute.originForm == "/a/b?q=1")
        #expect(absolute.path == "/a/b")
        let bare = try #require(parseHead("GET HTTPS://h.example HTTP/1.1\r\nHost: h\r\n\r\n"))
        #expect(bare.path == "/")
        #expect(try #require(parseHead("OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n")).target == "*")
    }

    @Test func ignoresEmptyLinesBeforeTheRequestLine() {
        let run = parse("\r\n\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n")
        #expect(run.heads.count == 1 && run.error == nil && run.leftover.isEmpty)
    }

    @Test func skipsAContentLengthBodyWithoutBufferingIt() throws {
        var parser = HTTPRequestParser()
        let head = Array("POST /x HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\n".utf8)
        let event = (head + Array("abc".utf8)).withUnsafeBytes { parser.next(in: $0) }
        guard case .request(let parsed, let consumed) = event else {
            Issue.record("got \(event)")
            return
        }
        #expect(parsed.body == .contentLength(10) && consumed == head.count)
        #expect(parser.bodyBytesRemaining == 10)

        #expect(Array("abc".utf8).withUnsafeBytes { parser.next(in: $0) } == .bodySkipped(consumed: 3))
        #expect(parser.bodyBytesRemaining == 7)
        #expect([UInt8]().withUnsafeBytes { parser.next(in: $0) } == .needMore)
        let rest = Array("defghijGET".utf8)
        #expect(rest.withUnsafeBytes { parser.next(in: $0) } == .bodySkipped(consumed: 7))
        #expect(parser.bodyBytesRemaining == 0)
        #expect(Array("GET".utf8).withUnsafeBytes { parser.next(in: $0) } == .needMore)
        #expect(!parser.isIdle)
    }

    @Test func skipsAChunkedBody() {
        let body = "5;name=\"v\"\r\nhello\r\n1A \r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\nX-Trailer: t\r\n\r\n"
        let run = parse("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: , Chunked \r\n\r\n" + body)
        #expect(run.heads.map(\.body) == [.chunked])
        #expect(run.error == nil && run.leftover.isEmpty)
        #expect(run.skippedBodyBytes == body.utf8.count)
    }

    /// Three requests back to back: a chunked body and a Content-Length body sit between them.
    static let pipelined =
        "POST /a HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3;x\r\nabc\r\n0\r\nT: 1\r\n\r\n"
        + "PUT /b HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\n\r\nwxyz"
        + "GET /c HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"

    @Test func parsesPipelinedRequests() {
        let run = parse(Self.pipelined)
        #expect(run.error == nil && run.leftover.isEmpty)
        #expect(run.heads.map(\.target) == ["/a", "/b", "/c"])
        #expect(run.heads.map(\.method) == ["POST", "PUT", "GET"])
        #expect(run.heads.map(\.version) == [.http11, .http11, .http10])
        #expect(run.skippedBodyBytes == 21 + 4)
    }

    @Test func givesTheSameResultWhateverTheSplit() {
        let input = Array(Self.pipelined.utf8)
        let whole = parse(input)
        for cut in 1..<input.count {
            let split = parse(input, cuts: [cut])
            #expect(split.heads == whole.heads && split.skippedBodyBytes == whole.skippedBodyBytes, "cut at \(cut)")
            #expect(split.error == nil && split.leftover.isEmpty, "cut at \(cut)")
        }
        let byteByByte = parse(input, cuts: Array(1..<input.count))
        #expect(byteByByte.heads == whole.heads && byteByByte.skippedBodyBytes == whole.skippedBodyBytes)
        #expect(byteByByte.error == nil && byteByByte.leftover.isEmpty)
    }

    @Test func keepsReportingAFailure() {
        var parser = HTTPRequestParser()
        let bytes = Array("GET / HTTP/1.1\nHost: h\r\n\r\n".utf8)
        let first = bytes.withUnsafeBytes { parser.next(in: $0) }
        #expect(first == .failure(HTTPParseError(.bareLineFeed)))
        #expect(Array("GET / HTTP/1.1\r\nHost: h\r\n\r\n".utf8).withUnsafeBytes { parser.next(in: $0) } == first)
    }

    @Test func survivesACallerThatShrinksTheBuffer() {
        var parser = HTTPRequestParser()
        let start = Array("GET /abcdef HT".utf8)
        #expect(start.withUnsafeBytes { parser.next(in: $0) } == .needMore)
        let whole = Array("GET / HTTP/1.1\r\nHost: h\r\n\r\n".utf8)
        let event = Array(whole.prefix(4)).withUnsafeBytes { parser.next(in: $0) }
        #expect(event == .needMore)
        guard case .request(let head, let consumed) = whole.withUnsafeBytes({ parser.next(in: $0) }) else {
            Issue.record("no request")
            return
        }
        #expect(head.target == "/" && consumed == whole.count)
    }
}

@Test func classifiesEveryByteAsRFC9110Does() {
    let tokenBytes = Set("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ".utf8)
    for byte in UInt8.min...UInt8.max {
        #expect(HTTPSyntax.isToken(byte) == tokenBytes.contains(byte), "byte \(byte)")
        #expect(HTTPSyntax.isFieldValue(byte) == (byte == 0x09 || (byte >= 0x20 && byte != 0x7F)), "byte \(byte)")
    }
}
