/// Writes bytes front to back into room reserved beforehand, for the encoders on the check path.
///
/// Appending to an array piece by piece checks its uniqueness and capacity on every call; a
/// reply written through one `ByteWriter` pays for that once. Use it through
/// `Array.appendWriting(maxCount:_:)`, which reserves the room and keeps what was written.
///
/// Every store is at a non-negative offset from the start: Swift 6.3's optimizer on Linux can drop
/// stores made through a pointer stepped backwards (swiftlang/swift#77558).
public struct ByteWriter: ~Copyable {
    private let start: UnsafeMutablePointer<UInt8>
    private let capacity: Int
    /// Bytes written so far.
    public private(set) var count = 0

    init(start: UnsafeMutablePointer<UInt8>, capacity: Int) {
        self.start = start
        self.capacity = capacity
    }

    /// Traps if the caller reserved too little: every caller sizes its room from the largest
    /// output its input can give, so this is a programming error, never a property of input.
    @inline(__always)
    private func ensureRoom(_ length: Int) {
        precondition(length <= capacity &- count, "ByteWriter: reserved room exceeded")
    }

    @inline(__always)
    public mutating func write(_ byte: UInt8) {
        ensureRoom(1)
        start[count] = byte
        count &+= 1
    }

    /// Writes ASCII text known when compiling: punctuation, names, pre-escaped JSON.
    @inline(__always)
    public mutating func write(_ text: StaticString) {
        write(UnsafeRawBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    @inline(__always)
    public mutating func write(_ bytes: UnsafeRawBufferPointer) {
        ensureRoom(bytes.count)
        guard let source = bytes.baseAddress, !bytes.isEmpty else { return }
        (start + count).update(from: source.assumingMemoryBound(to: UInt8.self), count: bytes.count)
        count &+= bytes.count
    }

    public mutating func write(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { write($0) }
    }

    /// Writes `value` in decimal, with a leading `-` when negative: at most
    /// ``maxDecimalLength`` bytes.
    public mutating func write(_ value: Int64) {
        if value < 0 { write(UInt8(ascii: "-")) }
        let digits = DecimalText.digitCount(value.magnitude)
        ensureRoom(digits)
        DecimalText.writeDigits(value.magnitude, count: digits, startingAt: start + count)
        count &+= digits
    }

    public mutating func write(_ value: Int) {
        write(Int64(value))
    }

    /// Writes the low `digits` nibbles of `value` as lowercase hex, most significant first.
    public mutating func writeHex(_ value: UInt64, digits: Int) {
        ensureRoom(digits)
        let hex: StaticString = "0123456789abcdef"
        for index in 0..<digits {
            let shift = UInt64(4 * (digits - 1 - index))
            start[count &+ index] = hex.utf8Start[Int(truncatingIfNeeded: (value >> shift) & 0xF)]
        }
        count &+= digits
    }

    /// The longest decimal ``write(_:)-(Int64)`` gives: `-9223372036854775808`.
    public static let maxDecimalLength = 20
}

extension Array where Element == UInt8 {
    /// Appends the bytes `body` writes, which must be at most `maxCount`.
    ///
    /// The room is reserved once, growing the array geometrically as `append` does, and only the
    /// bytes written are kept.
    public mutating func appendWriting(maxCount: Int, _ body: (inout ByteWriter) -> Void) {
        append(addingCapacity: maxCount) { span in
            span.withUnsafeMutableBufferPointer { buffer, initialized in
                // An array's storage always has an address; only a zero-byte request could lack one.
                guard let base = buffer.baseAddress else { return }
                var writer = ByteWriter(start: base, capacity: buffer.count)
                body(&writer)
                initialized = writer.count
            }
        }
    }
}
