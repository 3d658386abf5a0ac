import AegisTestSupport
import Testing

@testable import AegisCore

private let seeds: [String] = [
    #"{"id":1,"api_key":"sk_live_abc","method":"GET","path":"/v1/items?x=1","host":"api.example","cost":1}"#,
    #"{"type":"health","id":"h-1"}"#,
    #"{"id":"r\u00e9-😀","headers":{"X-API-Key":"k","Authorization":"Bearer t","accept":"*/*"},"client_ip":"::1"}"#,
    #"{"cost":2.0e0,"id":-0.5e-3,"extra":[null,true,false,{"a":[{}]}],"api_key":"k\"\\\/\b\f\n\r\t\ud83d\ude00"}"#,
    #"{"headers":{"authorization":"bearer   tok"},"type":"check","cost":1000000}"#,
]

/// Pieces that steer mutations toward the parser's edges: structure, escapes, numbers, bad UTF-8.
private let fragments: [[UInt8]] = textFragments.map { Array($0.utf8) } + byteFragments

private let textFragments = [
    "\"", "\\", "{", "}", "[", "]", ",", ":", "\\u", "\\ud800", "\\udc00", "\\u00e9", "null", "true", "-", ".",
    "e", "0", "9", "1e999", "\"cost\":", "\"id\":", "\"headers\":{", " ", "\n", "\r\n",
]

private let byteFragments: [[UInt8]] = [
    [0x00], [0x1F], [0x7F], [0x80], [0xC3], [0xED, 0xA0, 0x80], [0xF0, 0x9F], [0xFF],
]

private func mutate(_ input: [UInt8], using random: inout SeededGenerator) -> [UInt8] {
    var bytes = input
    for _ in 0..<Int.random(in: 1...4, using: &random) {
        let index = bytes.isEmpty ? 0 : Int.random(in: 0..<bytes.count, using: &random)
        switch Int.random(in: 0..<6, using: &random) {
        case 0 where !bytes.isEmpty: bytes[index] = UInt8.random(in: 0...255, using: &random)
        case 1 where !bytes.isEmpty: bytes.remove(at: index)
        case 2: bytes.insert(contentsOf: fragments.randomElement(using: &random)!, at: index)
        case 3 where !bytes.isEmpty: bytes.removeSubrange(index...)
        case 4 where !bytes.isEmpty:
            let end = min(bytes.count, index + Int.random(in: 1...16, using: &random))
            bytes.insert(contentsOf: bytes[index..<end], at: index)
        default: bytes.insert(UInt8.random(in: 0x20...0x7E, using: &random), at: index)
        }
    }
    return bytes
}

/// An id the decoder keeps must be one whole JSON string or number token.
private func isIDToken(_ token: [UInt8]) -> Bool {
    guard let first = token.first, first == UInt8(ascii: "\"") || first == UInt8(ascii: "-") || first &- 48 < 10
    else { return false }
    return (try? token.withUnsafeBytes { try JSONReader.validate($0) }) != nil
}

private struct Tally {
    var accepted = 0
    var rejected = 0
    var messages = 0
    var failures = 0
}

/// Decodes `frame` and encodes its reply, checking everything that must hold for any input.
///
/// Plain conditions with `Issue.record` rather than `#expect`, whose bookkeeping would dominate
/// the run time of hundreds of thousands of cases.
private func exercise(_ frame: UnsafeRawBufferPointer, _ tally: inout Tally) {
    var reply: [UInt8] = []
    switch CheckRequestDecoder.decode(frame) {
    case .success(let request):
        tally.accepted += 1
        let sane =
            (1...CheckRequestDecoder.maxCost).contains(request.cost) && request.apiKey.map { !$0.isEmpty } ?? true
            && request.rawID.map(isIDToken) ?? true && (try? JSONReader.validate(frame)) != nil
        if !sane { Issue.record("implausible request \(request) from \(Array(frame))") }
        ReplyEncoder.appendCheckReply(.denied(.invalidKey), rawID: request.rawID, to: &reply)
    case .failure(let error):
        tally.rejected += 1
        if error.message.isEmpty || !(error.rawID.map(isIDToken) ?? true) {
            Issue.record("implausible error \(error) from \(Array(frame))")
        }
        ReplyEncoder.appendErrorReply(error, to: &reply)
    }
    if reply.contains(0x0A) || (try? reply.withUnsafeBytes { try JSONReader.validate($0) }) == nil {
        Issue.record("invalid reply \(String(decoding: reply, as: UTF8.self)) to \(Array(frame))")
    }
}

/// 200,000 inputs in all, in four seeded runs that the test runner can spread over cores.
@Test(arguments: [0xAE61_5001, 0xAE61_5002, 0xAE61_5003, 0xAE61_5004] as [UInt64])
func randomAndMutatedRequestsNeverCrashTheDecoder(seed: UInt64) {
    var random = SeededGenerator(seed: seed)
    var tally = Tally()
    let corpus = seeds.map { Array($0.utf8) }
    for round in 0..<50_000 {
        let input: [UInt8]
        if round % 10 == 0 {
            input = (0..<Int.random(in: 0...48, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
        } else {
            input = mutate(corpus.randomElement(using: &random)!, using: &random)
        }
        input.withUnsafeBytes { exercise($0, &tally) }
    }
    // The mutations must reach both outcomes, or the test exercises less than it seems.
    #expect(tally.accepted > 2_500 && tally.rejected > 25_000, "accepted \(tally.accepted), rejected \(tally.rejected)")
}

@Test(arguments: [FramingMode.lengthPrefixed, .lines])
func mutatedStreamsNeverCrashTheFraming(_ mode: FramingMode) {
    var random = SeededGenerator(seed: mode == .lines ? 0x11AE5 : 0x1E7F1)
    var tally = Tally()
    let corpus = seeds.map { Array($0.utf8) }
    for _ in 0..<6_000 {
        var stream: [UInt8] = []
        for _ in 0..<Int.random(in: 1...6, using: &random) {
            var request = corpus.randomElement(using: &random)!
            if Bool.random(using: &random) { request = mutate(request, using: &random) }
            let start = Framing.beginReply(&stream, mode: mode)
            stream += request
            Framing.endReply(&stream, mode: mode, start: start)
        }
        if Int.random(in: 0..<3, using: &random) == 0 { stream = mutate(stream, using: &random) }
        feed(stream, maxFrameBytes: Int.random(in: 1...256, using: &random), &random, &tally)
    }
    #expect(tally.messages > 10_000 && tally.failures > 100, "messages \(tally.messages), failures \(tally.failures)")
}

/// Feeds `stream` in random chunks the way a connection would, decoding every message.
private func feed(_ stream: [UInt8], maxFrameBytes: Int, _ random: inout SeededGenerator, _ tally: inout Tally) {
    var decoder = FrameDecoder(maxFrameBytes: maxFrameBytes)
    var buffer: [UInt8] = []
    var offset = 0
    var position = 0
    while position < stream.count {
        let chunk = min(stream.count - position, Int.random(in: 1...64, using: &random))
        buffer += stream[position..<(position + chunk)]
        position += chunk
        while true {
            let event = buffer.withUnsafeBytes { whole -> FrameEvent in
                let unread = UnsafeRawBufferPointer(rebasing: whole[offset...])
                let event = decoder.next(in: unread)
                if case .message(let range, let consumed) = event {
                    if range.isEmpty || range.count > maxFrameBytes || range.upperBound > consumed
                        || consumed > unread.count
                    {
                        Issue.record("message \(range), consumed \(consumed) in a buffer of \(unread.count)")
                    }
                    exercise(UnsafeRawBufferPointer(rebasing: unread[range]), &tally)
                }
                return event
            }
            switch event {
            case .needMore:
                // Never holds much more than one frame while waiting.
                if buffer.count - offset > maxFrameBytes + 4 + 64 {
                    Issue.record("waiting with \(buffer.count - offset) bytes buffered")
                }
            case .message(_, let consumed):
                tally.messages += 1
                offset += consumed
                continue
            case .failure:
                tally.failures += 1
                let again = buffer.withUnsafeBytes { decoder.next(in: UnsafeRawBufferPointer(rebasing: $0[offset...])) }
                #expect(again == event)
                return
            }
            break
        }
    }
}
