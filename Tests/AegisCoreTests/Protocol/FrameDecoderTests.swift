import Testing

@testable import AegisCore

/// A connection's read side: a buffer, an offset, and the decoder, fed chunk by chunk.
struct FrameFeeder {
    var decoder: FrameDecoder
    var buffer: [UInt8] = []
    var offset = 0
    var messages: [[UInt8]] = []
    var failure: FrameError?

    init(maxFrameBytes: Int = 65536) {
        decoder = FrameDecoder(maxFrameBytes: maxFrameBytes)
    }

    mutating func feed(_ chunk: some Collection<UInt8>) {
        buffer.append(contentsOf: chunk)
        while failure == nil {
            let event = buffer.withUnsafeBytes { decoder.next(in: UnsafeRawBufferPointer(rebasing: $0[offset...])) }
            switch event {
            case .needMore:
                return
            case .message(let range, let consumed):
                #expect(range.lowerBound >= 0 && range.upperBound <= consumed && !range.isEmpty)
                messages.append(Array(buffer[(offset + range.lowerBound)..<(offset + range.upperBound)]))
                offset += consumed
            case .failure(let error):
                failure = error
            }
        }
    }

    var texts: [String] { messages.map { String(decoding: $0, as: UTF8.self) } }
}

func lengthPrefixed(_ text: String) -> [UInt8] {
    let body = Array(text.utf8)
    let count = UInt32(body.count)
    return [UInt8(count >> 24), UInt8(count >> 16 & 0xFF), UInt8(count >> 8 & 0xFF), UInt8(count & 0xFF)] + body
}

@Test func decodesLengthPrefixedFrames() {
    var feeder = FrameFeeder()
    feeder.feed(lengthPrefixed(#"{"id":1}"#) + lengthPrefixed(#"{"id":2}"#) + lengthPrefixed("x"))
    #expect(feeder.decoder.mode == .lengthPrefixed)
    #expect(feeder.texts == [#"{"id":1}"#, #"{"id":2}"#, "x"])
    #expect(feeder.offset == feeder.buffer.count)
    #expect(feeder.failure == nil)
}

@Test func decodesLines() {
    var feeder = FrameFeeder()
    feeder.feed(Array("{\"id\":1}\n{\"id\":2}\r\n\n  \r\n\t{\"id\":3} \n{\"id\"".utf8))
    #expect(feeder.decoder.mode == .lines)
    #expect(feeder.texts == [#"{"id":1}"#, #"{"id":2}"#, #"{"id":3} "#])
    feeder.feed(Array(":4}\r\n".utf8))
    #expect(feeder.texts.last == #"{"id":4}"#)
    #expect(feeder.failure == nil)
}

@Test func lineModeIsChosenOnlyByAnOpeningBrace() {
    var decoder = FrameDecoder()
    #expect(
        Array(" {}\n".utf8).withUnsafeBytes { decoder.next(in: $0) } == .failure(.tooLarge(0x207B_7D0A, limit: 65536)))
    #expect(decoder.mode == .lengthPrefixed)
}

@Test func emptyBufferNeedsMoreWithoutChoosingAMode() {
    var decoder = FrameDecoder()
    #expect([UInt8]().withUnsafeBytes { decoder.next(in: $0) } == .needMore)
    #expect(decoder.mode == nil)
}

@Test(arguments: [FramingMode.lengthPrefixed, .lines])
func framesSplitAtEveryBoundary(_ mode: FramingMode) {
    let requests = [#"{"id":1,"api_key":"k"}"#, #"{"id":"two"}"#, #"{"id":3,"path":"/é"}"#]
    let stream: [UInt8] = requests.flatMap {
        mode == .lines ? Array(($0 + "\r\n").utf8) : lengthPrefixed($0)
    }
    for first in 0...stream.count {
        for second in stride(from: first, through: stream.count, by: 7) {
            var feeder = FrameFeeder()
            feeder.feed(stream[..<first])
            feeder.feed(stream[first..<second])
            feeder.feed(stream[second...])
            #expect(feeder.texts == requests, "split at \(first) and \(second)")
            #expect(feeder.failure == nil)
        }
    }
    var byteByByte = FrameFeeder()
    for byte in stream { byteByByte.feed(CollectionOfOne(byte)) }
    #expect(byteByByte.texts == requests)
    #expect(byteByByte.decoder.mode == mode)
}

@Test func rejectsZeroLength() {
    var feeder = FrameFeeder()
    feeder.feed(lengthPrefixed(#"{"id":1}"#) + [0, 0, 0, 0] + lengthPrefixed(#"{"id":2}"#))
    #expect(feeder.texts == [#"{"id":1}"#])
    #expect(feeder.failure == .zeroLength)
    #expect(feeder.failure?.message == "frame length is zero")
}

@Test func capsLengthBeforeThePayloadArrives() {
    var atCap = FrameFeeder(maxFrameBytes: 16)
    atCap.feed(lengthPrefixed(String(repeating: "a", count: 16)))
    #expect(atCap.texts == [String(repeating: "a", count: 16)])

    var overCap = FrameFeeder(maxFrameBytes: 16)
    overCap.feed([0, 0, 0, 17])
    #expect(overCap.failure == .tooLarge(17, limit: 16))
    #expect(overCap.failure?.message == "frame length 17 exceeds the limit of 16 bytes")

    var huge = FrameFeeder()
    huge.feed([0xFF, 0xFF, 0xFF, 0xFF])
    #expect(huge.failure?.code == .tooLarge)
}

@Test func capsLines() {
    let line = "{" + String(repeating: " ", count: 14) + "}"
    for ending in ["\n", "\r\n"] {
        var atCap = FrameFeeder(maxFrameBytes: 16)
        atCap.feed(Array((line + ending).utf8))
        #expect(atCap.texts == [line])
        #expect(atCap.failure == nil)

        var overCap = FrameFeeder(maxFrameBytes: 16)
        overCap.feed(Array(("{ " + line.dropFirst() + ending).utf8))
        #expect(overCap.failure == .lineTooLong(limit: 16))
    }

    // No newline yet, but already too long to become a valid line: fail without waiting.
    var endless = FrameFeeder(maxFrameBytes: 16)
    endless.feed(Array(("{" + String(repeating: "x", count: 16)).utf8))
    #expect(endless.failure == nil)
    endless.feed(Array("x".utf8))
    #expect(endless.failure == .lineTooLong(limit: 16))
    #expect(endless.failure?.message == "line exceeds the limit of 16 bytes")
}

@Test func blankLinesCountTowardTheCap() {
    var feeder = FrameFeeder(maxFrameBytes: 8)
    feeder.feed(Array("{}\n".utf8))
    feeder.feed(Array(String(repeating: "\n", count: 20).utf8))
    #expect(feeder.texts == ["{}"])
    #expect(feeder.failure == .lineTooLong(limit: 8))
}

@Test func failureIsSticky() {
    var decoder = FrameDecoder(maxFrameBytes: 4)
    #expect([0, 0, 0, 0].withUnsafeBytes { decoder.next(in: $0) } == .failure(.zeroLength))
    #expect(lengthPrefixed("{}").withUnsafeBytes { decoder.next(in: $0) } == .failure(.zeroLength))
}

@Test func clampsTheCap() {
    #expect(FrameDecoder(maxFrameBytes: 0).maxFrameBytes == 1)
    #expect(FrameDecoder(maxFrameBytes: -5).maxFrameBytes == 1)
    #expect(FrameDecoder(maxFrameBytes: .max).maxFrameBytes == 0x7AFF_FFFF)
    #expect(FrameDecoder().maxFrameBytes == 65536)
}
