import AegisTestSupport

@testable import AegisRedis

/// Encodes replies the way a server would, so reader tests can round-trip values.
enum RESPTestEncoding {
    static func encode(_ reply: RedisReply) -> [UInt8] {
        var out: [UInt8] = []
        append(reply, to: &out)
        return out
    }

    static func append(_ reply: RedisReply, to out: inout [UInt8]) {
        switch reply {
        case .status(let text):
            out += Array("+\(text)\r\n".utf8)
        case .error(let text):
            out += Array("-\(text)\r\n".utf8)
        case .integer(let value):
            out += Array(":\(value)\r\n".utf8)
        case .bulk(let bytes):
            out += Array("$\(bytes.count)\r\n".utf8) + bytes + Array("\r\n".utf8)
        case .null:
            out += Array("$-1\r\n".utf8)
        case .array(let elements):
            out += Array("*\(elements.count)\r\n".utf8)
            for element in elements {
                append(element, to: &out)
            }
        }
    }

    /// A random reply at most `depth` arrays deep; status and error texts avoid CR and LF.
    static func randomReply(depth: Int, using generator: inout SeededGenerator) -> RedisReply {
        switch Int.random(in: 0...(depth > 0 ? 5 : 4), using: &generator) {
        case 0:
            return .status(randomLine(using: &generator))
        case 1:
            return .error(randomLine(using: &generator))
        case 2:
            return .integer(Int64.random(in: Int64.min...Int64.max, using: &generator))
        case 3:
            let count = Int.random(in: 0...64, using: &generator)
            return .bulk((0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) })
        case 4:
            return .null
        default:
            let count = Int.random(in: 0...5, using: &generator)
            return .array((0..<count).map { _ in randomReply(depth: depth - 1, using: &generator) })
        }
    }

    private static func randomLine(using generator: inout SeededGenerator) -> String {
        let count = Int.random(in: 0...16, using: &generator)
        let bytes = (0..<count).map { _ in UInt8.random(in: 0x20...0x7E, using: &generator) }
        return String(decoding: bytes, as: UTF8.self)
    }
}
