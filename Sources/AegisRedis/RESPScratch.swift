/// Writes RESP into a region of known maximum size with plain pointer stores, so that a whole
/// command costs one `Array.append` instead of one per piece (each of which checks uniqueness
/// and capacity).
struct RESPScratch {
    private let base: UnsafeMutablePointer<UInt8>
    private let capacity: Int
    private(set) var count = 0

    private init(base: UnsafeMutablePointer<UInt8>, capacity: Int) {
        self.base = base
        self.capacity = capacity
    }

    /// Runs `body` on scratch space of `capacity` bytes (on the stack when small) and appends
    /// what it wrote to `buffer`. `body` must not write more than `capacity` bytes.
    static func append(to buffer: inout [UInt8], capacity: Int, _ body: (inout RESPScratch) -> Void) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: capacity) { region in
            var scratch = RESPScratch(base: region.baseAddress!, capacity: capacity)
            body(&scratch)
            buffer.append(contentsOf: UnsafeBufferPointer(start: region.baseAddress!, count: scratch.count))
        }
    }

    /// The most bytes ``writeBulk(_:)-(Int64)`` writes: `$20\r\n`, 20 digits and a sign, CRLF.
    static let maximumIntegerBulk = 28

    mutating func write(_ byte: UInt8) {
        precondition(count < capacity, "RESP scratch space overrun")
        base[count] = byte
        count += 1
    }

    mutating func write(_ bytes: UnsafeBufferPointer<UInt8>) {
        precondition(count + bytes.count <= capacity, "RESP scratch space overrun")
        guard let source = bytes.baseAddress else { return }
        (base + count).update(from: source, count: bytes.count)
        count += bytes.count
    }

    mutating func write(_ bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { write($0) }
    }

    /// The UTF-8 of `string`, with no framing.
    mutating func write(_ string: String) {
        let copied: Void? = string.utf8.withContiguousStorageIfAvailable { write($0) }
        if copied == nil {
            for byte in string.utf8 {
                write(byte)
            }
        }
    }

    mutating func writeCRLF() {
        write(UInt8(ascii: "\r"))
        write(UInt8(ascii: "\n"))
    }

    /// `<marker><length>\r\n`, as in `*3\r\n` or `$5\r\n`.
    mutating func writeHeader(_ marker: UInt8, _ length: Int) {
        write(marker)
        writeDecimal(Int64(length))
        writeCRLF()
    }

    /// A whole bulk string holding `value` in decimal.
    mutating func writeBulk(_ value: Int64) {
        writeHeader(UInt8(ascii: "$"), Self.decimalLength(value))
        writeDecimal(value)
        writeCRLF()
    }

    mutating func writeDecimal(_ value: Int64) {
        if value < 0 {
            write(UInt8(ascii: "-"))
        }
        var magnitude = value.magnitude
        let digits = Self.digitCount(magnitude)
        precondition(count + digits <= capacity, "RESP scratch space overrun")
        var index = count + digits
        // Constant divisors compile to multiplications; two digits per round halves them.
        while magnitude >= 100 {
            let pair = magnitude % 100
            magnitude /= 100
            index -= 2
            base[index] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: pair / 10)
            base[index + 1] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: pair % 10)
        }
        if magnitude >= 10 {
            base[index - 2] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: magnitude / 10)
            base[index - 1] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: magnitude % 10)
        } else {
            base[index - 1] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: magnitude)
        }
        count += digits
    }

    static func decimalLength(_ value: Int64) -> Int {
        digitCount(value.magnitude) + (value < 0 ? 1 : 0)
    }

    /// Decimal digits of `value`: the bit length gives log10 to within one, a table settles it.
    static func digitCount(_ value: UInt64) -> Int {
        let bits = UInt64.bitWidth - value.leadingZeroBitCount
        let guess = (bits * 1233) >> 12
        return max(1, guess + (value >= powerOfTen(guess) ? 1 : 0))
    }

    /// A switch rather than a table: no lazy global to initialise and retain on the hot path.
    private static func powerOfTen(_ exponent: Int) -> UInt64 {
        switch exponent {
        case 0: 1
        case 1: 10
        case 2: 100
        case 3: 1_000
        case 4: 10_000
        case 5: 100_000
        case 6: 1_000_000
        case 7: 10_000_000
        case 8: 100_000_000
        case 9: 1_000_000_000
        case 10: 10_000_000_000
        case 11: 100_000_000_000
        case 12: 1_000_000_000_000
        case 13: 10_000_000_000_000
        case 14: 100_000_000_000_000
        case 15: 1_000_000_000_000_000
        case 16: 10_000_000_000_000_000
        case 17: 100_000_000_000_000_000
        case 18: 1_000_000_000_000_000_000
        default: 10_000_000_000_000_000_000
        }
    }
}
