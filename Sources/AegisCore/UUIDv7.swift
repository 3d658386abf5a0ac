import Foundation
import Synchronization

/// A time-ordered UUID (RFC 9562, version 7): a 48-bit Unix timestamp in milliseconds, then
/// random bits.
///
/// Values made by ``next()`` in one process are strictly increasing, both as values and as their
/// lowercase text, so rows keyed by them are inserted in index order.
public struct UUIDv7: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Bytes 0–7 in big-endian order: timestamp, version nibble, 12 bits `rand_a`.
    public let high: UInt64
    /// Bytes 8–15 in big-endian order: the variant bits `10`, then 62 bits `rand_b`.
    public let low: UInt64

    /// Builds a UUID from its parts, setting the version and variant bits.
    /// - Parameters:
    ///   - milliseconds: Unix time in milliseconds; only the low 48 bits are kept.
    ///   - randA: only the low 12 bits are kept.
    ///   - randB: only the low 62 bits are kept.
    public init(milliseconds: Int64, randA: UInt16, randB: UInt64) {
        let timestamp = UInt64(truncatingIfNeeded: milliseconds) & 0xFFFF_FFFF_FFFF
        high = timestamp << 16 | 0x7000 | UInt64(randA & 0x0FFF)
        low = 0x8000_0000_0000_0000 | (randB & 0x3FFF_FFFF_FFFF_FFFF)
    }

    /// Parses the canonical 8-4-4-4-12 hex form (either case); `nil` unless it is a version 7,
    /// variant `10` UUID.
    public init?(_ text: String) {
        guard let value = UUIDValue(text), (value.high >> 12) & 0xF == 7, value.low >> 62 == 0b10 else {
            return nil
        }
        high = value.high
        low = value.low
    }

    /// The same sixteen bytes as a UUID of no particular version.
    public var value: UUIDValue { UUIDValue(high: high, low: low) }

    /// The Unix time in milliseconds this UUID was made at.
    public var milliseconds: Int64 { Int64(high >> 16) }

    /// The version field; always 7.
    public var version: Int { Int((high >> 12) & 0xF) }

    /// The two variant bits; always `0b10`.
    public var variant: Int { Int(low >> 62) }

    /// The 16 bytes in network order.
    public var bytes: [UInt8] {
        (0..<16).map { index in
            let word = index < 8 ? high : low
            return UInt8(truncatingIfNeeded: word >> UInt64(56 - 8 * (index % 8)))
        }
    }

    /// Lowercase 8-4-4-4-12 hex, the form PostgreSQL prints.
    public var description: String { value.text }

    /// The length of the text form.
    public static let textLength = UUIDValue.textLength

    /// Writes the text form (see `description`) in place: the daemon spools one id per decision,
    /// and a string for each would cost an allocation.
    public func write(to writer: inout ByteWriter) {
        value.write(to: &writer)
    }

    public static func < (lhs: UUIDv7, rhs: UUIDv7) -> Bool {
        (lhs.high, lhs.low) < (rhs.high, rhs.low)
    }

    /// A new UUID for the current time, greater than every earlier one from this process.
    ///
    /// Within one millisecond (or when the wall clock steps back) the 12-bit `rand_a` field counts
    /// up from the previous value, as RFC 9562 section 6.2 (method 1) describes; if it would
    /// overflow, the timestamp moves one millisecond ahead. The 62 bits of `rand_b` always come
    /// from the operating system's secure random source.
    public static func next() -> UUIDv7 {
        var random = SystemRandomNumberGenerator()
        let now = Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))
        let randB = random.next() as UInt64
        // A new millisecond starts rand_a in its lower half, leaving room to count up within it.
        let freshRandA = UInt16.random(in: 0...0x7FF, using: &random)
        let (milliseconds, randA) = generatorState.withLock { state in
            if now > state.milliseconds {
                state = (now, freshRandA)
            } else if state.randA < 0xFFF {
                state.randA += 1
            } else {
                state = (state.milliseconds + 1, 0)
            }
            return state
        }
        return UUIDv7(milliseconds: milliseconds, randA: randA, randB: randB)
    }

    /// The last timestamp and `rand_a` handed out, so the next value can be made larger.
    private static let generatorState = Mutex<(milliseconds: Int64, randA: UInt16)>((0, 0))
}
