import Testing

@testable import AegisCore

@Test func framesRepliesWithALengthPrefix() {
    var out: [UInt8] = [9, 9]
    let start = Framing.beginReply(&out, mode: .lengthPrefixed)
    #expect(start == 2)
    out.append(contentsOf: Array(#"{"a":1}"#.utf8))
    Framing.endReply(&out, mode: .lengthPrefixed, start: start)
    #expect(out == [9, 9, 0, 0, 0, 7] + Array(#"{"a":1}"#.utf8))
}

@Test func framesLongRepliesWithAllFourLengthBytes() {
    var out: [UInt8] = []
    let start = Framing.beginReply(&out, mode: .lengthPrefixed)
    out.append(contentsOf: repeatElement(UInt8(ascii: "x"), count: 0x01_02_03))
    Framing.endReply(&out, mode: .lengthPrefixed, start: start)
    #expect(out.prefix(4) == [0, 1, 2, 3])
}

@Test func framesRepliesAsLines() {
    var out: [UInt8] = []
    for id in 1...2 {
        let start = Framing.beginReply(&out, mode: .lines)
        ReplyEncoder.appendHealthReply(rawID: Array(String(id).utf8), redisUp: true, postgresUp: true, to: &out)
        Framing.endReply(&out, mode: .lines, start: start)
    }
    let text = String(decoding: out, as: UTF8.self)
    #expect(text.split(separator: "\n").count == 2)
    #expect(text.hasSuffix("}\n"))
}

@Test(arguments: [FramingMode.lengthPrefixed, .lines])
func framedRepliesDecodeAsFrames(_ mode: FramingMode) {
    var out: [UInt8] = []
    let decisions: [Decision] = [
        .denied(.missingKey), .denied(.badRequest, message: "line\nbreak"), .failOpen(tenantID: "t"),
    ]
    for decision in decisions {
        let start = Framing.beginReply(&out, mode: mode)
        ReplyEncoder.appendCheckReply(decision, rawID: nil, to: &out)
        Framing.endReply(&out, mode: mode, start: start)
    }
    var feeder = FrameFeeder()
    feeder.feed(out)
    #expect(feeder.decoder.mode == mode)
    #expect(feeder.messages.count == decisions.count)
    for message in feeder.messages {
        #expect((try? message.withUnsafeBytes { try JSONReader.validate($0) }) != nil)
    }
}
