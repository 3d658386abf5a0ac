import AegisCore

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
        writeHeader(UInt8(ascii: "$"), DecimalText.length(value))
        writeDecimal(value)
        writeCRLF()
    }

    mutating func writeDecimal(_ value: Int64) {
        if value < 0 {
            write(UInt8(ascii: "-"))
        }
        let digits = DecimalText.digitCount(value.magnitude)
        precondition(count + digits <= capacity, "RESP scratch space overrun")
        DecimalText.writeDigits(value.magnitude, count: digits, startingAt: base + count)
        count += digits
    }
}
