import AegisTestSupport
import Testing

@testable import AegisRedis

@Suite struct RedisReplyReaderTests {
    private func readAll(_ chunks: [[UInt8]]) throws -> [RedisReply] {
        let reader = try RedisReplyReader()
        var replies: [RedisReply] = []
        for chunk in chunks {
            try reader.feed(chunk)
            while let reply = try reader.next() {
                replies.append(reply)
            }
        }
        return replies
    }

    @Test func decodesEveryReplyType() throws {
        let wire = "+OK\r\n-ERR wrong\r\n:-7\r\n$5\r\nhello\r\n$-1\r\n*-1\r\n*0\r\n$0\r\n\r\n*2\r\n:1\r\n*1\r\n+x\r\n"
        let replies = try readAll([Array(wire.utf8)])
        #expect(
            replies == [
                .status("OK"), .error("ERR wrong"), .integer(-7), .bulk("hello"), .null, .null, .array([]),
                .bulk([]), .array([.integer(1), .array([.status("x")])]),
            ])
    }

    @Test func keepsBulkStringsBinarySafe() throws {
        let payload: [UInt8] = [0, 13, 10, 255, 36, 42]
        let replies = try readAll([Array("$6\r\n".utf8) + payload + Array("\r\n".utf8)])
        #expect(replies == [.bulk(payload)])
    }

    @Test func waitsForTheRestOfAPartialReply() throws {
        let reader = try RedisReplyReader()
        try reader.feed(Array("*2\r\n$3\r\nab".utf8))
        #expect(try reader.next() == nil)
        try reader.feed(Array("c\r\n:9".utf8))
        #expect(try reader.next() == nil)
        try reader.feed(Array("\r\n".utf8))
        #expect(try reader.next() == .array([.bulk("abc"), .integer(9)]))
        #expect(try reader.next() == nil)
    }

    @Test func roundTripsRandomRepliesFedInRandomPieces() throws {
        let seed = UInt64.random(in: 0...UInt64.max)
        var generator = SeededGenerator(seed: seed)
        for _ in 0..<300 {
            let replies = (0..<Int.random(in: 1...6, using: &generator)).map { _ in
                RESPTestEncoding.randomReply(depth: 6, using: &generator)
            }
            let wire = replies.flatMap(RESPTestEncoding.encode)
            var chunks: [[UInt8]] = []
            var offset = 0
            while offset < wire.count {
                let size = Int.random(in: 1...max(1, wire.count - offset), using: &generator)
                chunks.append(Array(wire[offset..<offset + size]))
                offset += size
            }
            #expect(try readAll(chunks) == replies, "seed \(seed)")
        }
    }

    @Test func readsThousandsOfRepliesFedAtOnce() throws {
        let replies = (0..<5000).map { index -> RedisReply in
            index % 7 == 0
                ? .bulk(Array(repeating: UInt8(index % 251), count: index % 3000))
                : .array([.bulk("ok"), .integer(Int64(index)), .array([.null, .status("s\(index)")])])
        }
        let wire = replies.flatMap(RESPTestEncoding.encode)
        #expect(try readAll([wire]) == replies)
    }

    @Test func readsOneByteAtATime() throws {
        let replies: [RedisReply] = [.array([.bulk("EVALSHA"), .integer(123_456), .null]), .status("PONG")]
        let wire = replies.flatMap(RESPTestEncoding.encode)
        #expect(try readAll(wire.map { [$0] }) == replies)
    }

    @Test(arguments: [
        "!x\r\n", ":abc\r\n", "$-5\r\n", "*-5\r\n", "*4294967297\r\n", "$99999999999999999999\r\n",
        "*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n:1\r\n",
    ])
    func rejectsMalformedInputWithAnError(wire: String) throws {
        let reader = try RedisReplyReader()
        try reader.feed(Array(wire.utf8))
        let error = #expect(throws: RedisError.self) { _ = try reader.next() }
        #expect(error?.code == .protocolError)
        #expect(error?.message.isEmpty == false)
    }

    @Test func aHugeAnnouncedArrayAllocatesNothingUpFront() throws {
        let reader = try RedisReplyReader()
        try reader.feed(Array("*2147483647\r\n:1\r\n:2\r\n".utf8))
        #expect(try reader.next() == nil)
    }

    @Test func staysFailedAfterAProtocolError() throws {
        let reader = try RedisReplyReader()
        try reader.feed(Array("?\r\n".utf8))
        #expect(throws: RedisError.self) { _ = try reader.next() }
        #expect(throws: RedisError.self) { try reader.feed(Array("+OK\r\n".utf8)) }
        #expect(throws: RedisError.self) { _ = try reader.next() }
    }

    /// Random bytes, and valid replies with random bytes flipped, must end in replies, a wait for
    /// more input or a thrown error: never a crash.
    @Test func survivesRandomBytes() throws {
        let seed = UInt64.random(in: 0...UInt64.max)
        var generator = SeededGenerator(seed: seed)
        let alphabet = Array("+-:$*\r\n0123456789-1".utf8)
        var outcomes = (replies: 0, errors: 0)
        for round in 0..<5000 {
            var wire: [UInt8]
            if round % 2 == 0 {
                wire = (0..<Int.random(in: 0...64, using: &generator)).map { _ in
                    Bool.random(using: &generator)
                        ? alphabet.randomElement(using: &generator)! : UInt8.random(in: 0...255, using: &generator)
                }
            } else {
                wire = RESPTestEncoding.encode(RESPTestEncoding.randomReply(depth: 4, using: &generator))
                for _ in 0..<Int.random(in: 1...3, using: &generator) where !wire.isEmpty {
                    wire[Int.random(in: 0..<wire.count, using: &generator)] = UInt8.random(
                        in: 0...255, using: &generator)
                }
            }
            let reader = try RedisReplyReader()
            do {
                try reader.feed(wire)
                while try reader.next() != nil {
                    outcomes.replies += 1
                }
            } catch {
                #expect(error.code == .protocolError, "seed \(seed)")
                outcomes.errors += 1
            }
        }
        #expect(outcomes.replies > 0 && outcomes.errors > 0, "seed \(seed): the fuzz reached both outcomes")
    }
}
