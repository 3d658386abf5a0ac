/// Any UUID as two words: sixteen bytes where its text takes a 36-byte heap string.
///
/// The daemon's key cache holds one per cached API key, so 100,000 keys cost 1.6 MB here instead
/// of some 8 MB of strings; the spool writes it back as text in place.
public struct UUIDValue: Sendable, Hashable {
    /// Bytes 0–7 in big-endian order.
    public let high: UInt64
    /// Bytes 8–15 in big-endian order.
    public let low: UInt64

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// Parses the canonical 8-4-4-4-12 hex form, either case, of any version; `nil` for anything else.
    public init?(_ text: String) {
        guard text.utf8.count == Self.textLength else { return nil }
        var high: UInt64 = 0
        var low: UInt64 = 0
        var nibbles = 0
        for (offset, byte) in text.utf8.enumerated() {
            if offset == 8 || offset == 13 || offset == 18 || offset == 23 {
                guard byte == UInt8(ascii: "-") else { return nil }
                continue
            }
            guard let value = Self.hexValue(byte) else { return nil }
            if nibbles < 16 {
                high = high << 4 | UInt64(value)
            } else {
                low = low << 4 | UInt64(value)
            }
            nibbles += 1
        }
        self.high = high
        self.low = low
    }

    /// The length of the text form.
    public static let textLength = 36

    /// Writes lowercase 8-4-4-4-12 hex, the form PostgreSQL prints, in place.
    public func write(to writer: inout ByteWriter) {
        writer.writeHex(high >> 32, byteCount: 4)
        writer.write(UInt8(ascii: "-"))
        writer.writeHex(high >> 16, byteCount: 2)
        writer.write(UInt8(ascii: "-"))
        writer.writeHex(high, byteCount: 2)
        writer.write(UInt8(ascii: "-"))
        writer.writeHex(low >> 48, byteCount: 2)
        writer.write(UInt8(ascii: "-"))
        writer.writeHex(low, byteCount: 6)
    }

    /// The text form as a string.
    public var text: String {
        String(unsafeUninitializedCapacity: Self.textLength) { buffer in
            guard let start = buffer.baseAddress else { return 0 }
            var writer = ByteWriter(start: start, capacity: buffer.count)
            write(to: &writer)
            return writer.count
        }
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
