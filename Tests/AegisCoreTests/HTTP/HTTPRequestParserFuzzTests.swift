import AegisTestSupport
import Testing

@testable import AegisCore

/// Random and mutated requests through the parser: it must never crash, never consume more than
/// it was given, never hold more than a bounded head, and give the same result however the bytes
/// are split.
@Suite struct HTTPRequestParserFuzzTests {
    private static let corpus: [[UInt8]] = [
        "GET /nginx HTTP/1.1\r\nHost: aegis\r\nX-Original-URI: /api/v1?q=1\r\nX-Original-Method: POST\r\n"
            + "X-Real-IP: 192.0.2.7\r\nx-api-key: ak_test\r\n\r\n",
        "POST /envoy/api/items?id=3 HTTP/1.1\r\nHost: shop.example\r\nAuthorization: Bearer ak_x\r\n"
            + "Content-Length: 0\r\n\r\n",
        "GET /forward-auth HTTP/1.1\r\nHost: aegis:8080\r\nX-Forwarded-Method: DELETE\r\nX-Forwarded-Uri: /a\r\n"
            + "X-Forwarded-For: 198.51.100.1, 10.0.0.1\r\nConnection: close\r\n\r\n",
        "PUT /x HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello",
        "POST /x HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n4;e=1\r\nwiki\r\n0\r\nT: v\r\n\r\n",
        "GET /health HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
        "\r\nGET /auth/protected HTTP/1.1\r\nHost: h\r\nX-Aegis-Cost: 3\r\n\r\n",
    ].map { Array($0.utf8) }

    private static let interesting: [UInt8] =
        Array("\r\n :\t;0123456789abcdefHTTP/1.,-\"".utf8) + [0, 0x7F, 0x80, 0xFF]

    private static let limits = HTTPLimits(
        maxRequestLineBytes: 64, maxHeaderCount: 8, maxHeaderBytes: 256, maxBodyBytes: 64)

    @Test func survivesRandomAndMutatedInput() {
        var random = SeededGenerator(seed: 0xAE61_5B12_D6E0)
        var requests = 0
        for round in 0..<200_000 {
            let input = Self.makeInput(&random)
            let cuts = (0...random.below(3)).map { _ in random.below(input.count + 1) }.sorted()
            let split = Self.checkedParse(input, cuts: cuts, limits: Self.limits)
            requests += split.heads.count
            // Every fourth input is parsed whole as well, which keeps the test to a few seconds.
            guard round % 4 == 0 else { continue }
            let whole = Self.checkedParse(input, cuts: [], limits: Self.limits)
            // Body bytes before a failure may be reported or not, depending on where the reads ended.
            guard whole.heads == split.heads, whole.error == split.error,
                whole.error != nil || whole.skippedBodyBytes == split.skippedBodyBytes
            else {
                Issue.record("split \(cuts) of \(input) parsed differently: \(whole) vs \(split)")
                return
            }
        }
        // The mutations must leave enough valid input for the test to exercise the happy paths too.
        #expect(requests > 50_000)
    }

    private static func makeInput(_ random: inout SeededGenerator) -> [UInt8] {
        if random.below(10) == 0 {
            return (0..<random.below(301)).map { _ in random.byte() }
        }
        var input: [UInt8] = []
        for _ in 0...random.below(3) {
            input += corpus[random.below(corpus.count)]
        }
        for _ in 0..<random.below(4) where !input.isEmpty {
            let at = random.below(input.count)
            switch random.below(5) {
            case 0: input[at] = random.byte()
            case 1: input.insert(interesting[random.below(interesting.count)], at: at)
            case 2: input.removeSubrange(at..<min(input.count, at + 1 + random.below(8)))
            case 3:
                let end = min(input.count, at + 1 + random.below(40))
                input.insert(contentsOf: input[at..<end], at: at)
            default: input.removeLast(random.below(min(input.count, 10) + 1))
            }
        }
        return input
    }

    /// `parse(_:cuts:limits:)`, checking every event's promises on the way. The caller's buffer is
    /// the input itself: bytes up to `fed` have arrived, bytes before `start` are consumed.
    private static func checkedParse(_ input: [UInt8], cuts: [Int], limits: HTTPLimits) -> HTTPParseRun {
        var parser = HTTPRequestParser(limits: limits)
        var run = HTTPParseRun()
        var start = 0
        input.withUnsafeBytes { input in
            feeding: for fed in cuts + [input.count] where fed >= start {
                while true {
                    let buffer = UnsafeRawBufferPointer(rebasing: input[start..<fed])
                    let event = parser.next(in: buffer)
                    switch event {
                    case .needMore:
                        // Body bytes never wait in the buffer, and a pending head stays within the limits.
                        let bound = limits.maxRequestLineBytes + 2 + limits.maxHeaderBytes
                        if parser.bodyBytesRemaining != 0 && !buffer.isEmpty || buffer.count > bound {
                            Issue.record("kept \(buffer.count) bytes of \(Array(input))")
                        }
                        continue feeding
                    case .request(let head, let consumed):
                        run.heads.append(head)
                        start += check(consumed, of: buffer, in: input)
                    case .bodySkipped(let consumed):
                        run.skippedBodyBytes += consumed
                        start += check(consumed, of: buffer, in: input)
                    case .failure(let error):
                        if parser.next(in: buffer) != event { Issue.record("failure not kept") }
                        run.error = error
                        break feeding
                    }
                }
            }
        }
        return run
    }

    private static func check(
        _ consumed: Int, of buffer: UnsafeRawBufferPointer, in input: UnsafeRawBufferPointer
    ) -> Int {
        guard consumed >= 1, consumed <= buffer.count else {
            Issue.record("consumed \(consumed) of \(buffer.count) bytes in \(Array(input))")
            return buffer.count
        }
        return consumed
    }
}
