import AegisTestSupport

@testable import AegisCore

/// What a caller saw after feeding bytes to a parser the way the daemon does: append what arrived,
/// call `next(in:)` until `.needMore`, drop what each event consumed.
struct HTTPParseRun {
    var heads: [HTTPRequestHead] = []
    var skippedBodyBytes = 0
    var error: HTTPParseError?
    /// Bytes still in the caller's buffer at the end.
    var leftover: [UInt8] = []
}

/// Feeds `input` in pieces ending at each offset of `cuts` (then the rest).
func parse(_ input: [UInt8], cuts: [Int] = [], limits: HTTPLimits = .init()) -> HTTPParseRun {
    var parser = HTTPRequestParser(limits: limits)
    var run = HTTPParseRun()
    var buffer: [UInt8] = []
    var fed = 0
    for end in cuts + [input.count] where end > fed {
        buffer += input[fed..<end]
        fed = end
        drain(&parser, &buffer, into: &run)
        if run.error != nil { break }
    }
    run.leftover = buffer
    return run
}

func parse(_ text: String, cuts: [Int] = [], limits: HTTPLimits = .init()) -> HTTPParseRun {
    parse(Array(text.utf8), cuts: cuts, limits: limits)
}

private func drain(_ parser: inout HTTPRequestParser, _ buffer: inout [UInt8], into run: inout HTTPParseRun) {
    while true {
        let event = buffer.withUnsafeBytes { parser.next(in: $0) }
        switch event {
        case .needMore:
            return
        case .request(let head, let consumed):
            run.heads.append(head)
            buffer.removeFirst(consumed)
        case .bodySkipped(let consumed):
            run.skippedBodyBytes += consumed
            buffer.removeFirst(consumed)
        case .failure(let error):
            run.error = error
            return
        }
    }
}

/// Parses one complete head, or returns `nil`.
func parseHead(_ text: String) -> HTTPRequestHead? {
    let run = parse(text)
    return run.heads.count == 1 && run.error == nil ? run.heads[0] : nil
}

/// A response as a client reads it; `nil` from `init` when the bytes are not exactly one
/// well-framed HTTP/1.1 response.
struct HTTPTestResponse {
    var status: Int
    var headers: [Header]
    var body: String

    init?(_ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        guard let headEnd = text.firstRange(of: "\r\n\r\n") else { return nil }
        var lines = text[..<headEnd.lowerBound].split(separator: "\r\n", omittingEmptySubsequences: false)
        let statusLine = lines.removeFirst().split(separator: " ", maxSplits: 2)
        guard statusLine.count == 3, statusLine[0] == "HTTP/1.1", let status = Int(statusLine[1]) else { return nil }
        self.status = status
        headers = []
        for line in lines {
            guard let colon = line.firstIndex(of: ":"), !line.contains("\r"), !line.contains("\n") else { return nil }
            headers.append(Header(String(line[..<colon]), String(line[line.index(after: colon)...].dropFirst())))
        }
        body = String(text[headEnd.upperBound...])
        guard headers.filter({ $0.name.lowercased() == "content-length" }).map(\.value) == ["\(body.utf8.count)"]
        else { return nil }
    }

    /// The value of the one header named `name` (any case); `nil` when absent or repeated.
    func header(_ name: String) -> String? {
        let values = headers.filter { $0.name.lowercased() == name.lowercased() }
        return values.count == 1 ? values[0].value : nil
    }

    var names: [String] { headers.map(\.name) }
}

extension SeededGenerator {
    /// A number in `0..<bound`; cheaper than `Int.random(in:using:)` in debug builds, where the
    /// fuzz tests spend most of their time making input.
    mutating func below(_ bound: Int) -> Int {
        Int(next() % UInt64(bound))
    }

    mutating func byte() -> UInt8 {
        UInt8(truncatingIfNeeded: next())
    }
}
