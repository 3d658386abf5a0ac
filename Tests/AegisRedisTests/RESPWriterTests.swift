import AegisCore
import CHiredis
import Testing

@testable import AegisRedis

@Suite struct RESPWriterTests {
    @Test func encodesACommandAsAnArrayOfBulkStrings() {
        var buffer: [UInt8] = []
        RESPWriter.appendArrayHeader(count: 3, to: &buffer)
        RESPWriter.appendBulk("SET", to: &buffer)
        RESPWriter.appendBulk([UInt8(ascii: "k")], to: &buffer)
        RESPWriter.appendBulk(-42, to: &buffer)
        #expect(String(decoding: buffer, as: UTF8.self) == "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$3\r\n-42\r\n")
    }

    @Test func countsBytesNotCharacters() {
        var buffer: [UInt8] = []
        RESPWriter.appendBulk("é🙂", to: &buffer)
        #expect(buffer == Array("$6\r\né🙂\r\n".utf8))
    }

    @Test func appendsToWhatIsAlreadyThere() {
        var buffer = Array("prefix".utf8)
        RESPWriter.appendCommand(["PING"], to: &buffer)
        #expect(buffer == Array("prefix*1\r\n$4\r\nPING\r\n".utf8))
    }

    @Test(arguments: [
        Int64.min, Int64.min + 1, -1_000_000, -10, -9, -1, 0, 1, 9, 10, 11, 99, 100, 999_999, 1_000_000,
        Int64(Int32.max), 1_796_302_315_705_400, Int64.max - 1, Int64.max,
    ])
    func writesIntegersLikeTheStandardLibrary(value: Int64) {
        var buffer: [UInt8] = []
        RESPWriter.appendBulk(value, to: &buffer)
        let digits = String(value)
        #expect(String(decoding: buffer, as: UTF8.self) == "$\(digits.utf8.count)\r\n\(digits)\r\n")
    }

    @Test func writesEveryPowerOfTenBoundary() {
        var value: Int64 = 1
        for _ in 0..<19 {
            for candidate in [value - 1, value, value + 1, -value, -value + 1, -value - 1] {
                var buffer: [UInt8] = []
                RESPWriter.appendBulk(candidate, to: &buffer)
                let digits = String(candidate)
                #expect(String(decoding: buffer, as: UTF8.self) == "$\(digits.utf8.count)\r\n\(digits)\r\n")
                #expect(DecimalText.length(candidate) == digits.utf8.count)
            }
            if value <= Int64.max / 10 {
                value *= 10
            }
        }
        #expect(DecimalText.digitCount(UInt64.max) == 20)
        #expect(DecimalText.digitCount(0) == 1)
    }

    @Test func writesRandomIntegersLikeTheStandardLibrary() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<10_000 {
            let value = Int64.random(in: Int64.min...Int64.max, using: &generator) >> Int.random(in: 0...63)
            var buffer: [UInt8] = []
            RESPWriter.appendBulk(value, to: &buffer)
            let digits = String(value)
            #expect(buffer == Array("$\(digits.utf8.count)\r\n\(digits)\r\n".utf8))
        }
    }

    @Test func largeArgumentsAreFramedToo() {
        let large = String(repeating: "x", count: 5000)
        var buffer: [UInt8] = []
        RESPWriter.appendBulk(large, to: &buffer)
        #expect(buffer == Array("$5000\r\n\(large)\r\n".utf8))
    }

    /// hiredis' own formatter (`redisFormatCommandArgv`) is the reference for random binary arguments.
    @Test func matchesHiredisFormatterOnRandomArguments() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<300 {
            let arguments: [[UInt8]] = (0..<Int.random(in: 1...8, using: &generator)).map { _ in
                (0..<Int.random(in: 0...40, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator)
                }
            }
            var ours: [UInt8] = []
            RESPWriter.appendArrayHeader(count: arguments.count, to: &ours)
            for argument in arguments {
                RESPWriter.appendBulk(argument, to: &ours)
            }
            #expect(ours == Self.hiredisFormat(arguments))
        }
    }

    private static func hiredisFormat(_ arguments: [[UInt8]]) -> [UInt8] {
        let copies = arguments.map { argument -> UnsafeMutablePointer<CChar> in
            let pointer = UnsafeMutablePointer<CChar>.allocate(capacity: max(argument.count, 1))
            argument.withUnsafeBytes { raw in
                UnsafeMutableRawPointer(pointer).copyMemory(
                    from: raw.baseAddress ?? UnsafeRawPointer(pointer),
                    byteCount: argument.count)
            }
            return pointer
        }
        defer {
            for copy in copies {
                copy.deallocate()
            }
        }
        var pointers: [UnsafePointer<CChar>?] = copies.map { UnsafePointer($0) }
        var lengths = arguments.map(\.count)
        var target: UnsafeMutablePointer<CChar>?
        let length = redisFormatCommandArgv(&target, Int32(arguments.count), &pointers, &lengths)
        guard length > 0, let target else { return [] }
        defer { redisFreeCommand(target) }
        return Array(UnsafeRawBufferPointer(start: target, count: Int(length)))
    }
}
