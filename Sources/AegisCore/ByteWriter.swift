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

    /// Writes the low `byteCount` bytes of `value` (at most 8) as lowercase hex, most
    /// significant first: two digits a byte.
    public mutating func writeHex(_ value: UInt64, byteCount: Int) {
        let byteCount = min(byteCount, 8)
        ensureRoom(2 &* byteCount)
        for index in 0..<byteCount {
            let byte = Int(truncatingIfNeeded: (value >> UInt64(8 &* (byteCount &- 1 &- index))) & 0xFF)
            start[count &+ 2 &* index] = Self.hexPairs.utf8Start[2 &* byte]
            start[count &+ 2 &* index &+ 1] = Self.hexPairs.utf8Start[2 &* byte &+ 1]
        }
        count &+= 2 &* byteCount
    }

    /// "00" to "ff", in order: a constant in the binary, with no lazy global to initialise.
    private static var hexPairs: StaticString {
        """
        000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f\
        303132333435363738393a3b3c3d3e3f404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f\
        606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f808182838485868788898a8b8c8d8e8f\
        909192939495969798999a9b9c9d9e9fa0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf\
        c0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedfe0e1e2e3e4e5e6e7e8e9eaebecedeeef\
        f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff
        """
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
