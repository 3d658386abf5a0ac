/// Whole numbers as ASCII decimal, written in place: the byte writer behind the JSON reply, the
/// HTTP headers and the spool, and the RESP writer all format integers on the check path and
/// share this.
public enum DecimalText {
    /// How many digits `value` has in decimal.
    /// The bit length gives log10 to within one; a power of ten settles it.
    @inlinable
    public static func digitCount(_ value: UInt64) -> Int {
        let bits = UInt64.bitWidth - value.leadingZeroBitCount
        let guess = (bits * 1233) >> 12
        return max(1, guess + (value >= powerOfTen(guess) ? 1 : 0))
    }

    /// Bytes `value` takes in decimal, its sign included.
    @inlinable
    public static func length(_ value: Int64) -> Int {
        digitCount(value.magnitude) + (value < 0 ? 1 : 0)
    }

    /// Writes the `count` digits of `magnitude` from `start` on.
    ///
    /// Every offset from `start` is non-negative on purpose: Swift 6.3's optimizer on Linux can drop
    /// stores made through a pointer stepped backwards (swiftlang/swift#77558), which corrupted
    /// digits in release builds only.
    /// - Precondition: `count == digitCount(magnitude)` and `count` bytes from `start` are writable.
    @inlinable
    public static func writeDigits(_ magnitude: UInt64, count: Int, startingAt start: UnsafeMutablePointer<UInt8>) {
        var magnitude = magnitude
        var position = count
        // Constant divisors compile to multiplications; two digits per round halves them, and the
        // pair's text comes from a table rather than two more divisions.
        while magnitude >= 100 {
            let pair = Int(truncatingIfNeeded: magnitude % 100)
            magnitude /= 100
            position &-= 2
            start[position] = digitPairs.utf8Start[2 &* pair]
            start[position &+ 1] = digitPairs.utf8Start[2 &* pair &+ 1]
        }
        if magnitude >= 10 {
            let pair = Int(truncatingIfNeeded: magnitude)
            start[0] = digitPairs.utf8Start[2 &* pair]
            start[1] = digitPairs.utf8Start[2 &* pair &+ 1]
        } else {
            start[0] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: magnitude)
        }
    }

    /// "00" to "99", in order: a constant in the binary, with no lazy global to initialise.
    @usableFromInline
    static var digitPairs: StaticString {
        """
        00010203040506070809101112131415161718192021222324252627282930313233343536373839\
        40414243444546474849505152535455565758596061626364656667686970717273747576777879\
        8081828384858687888990919293949596979899
        """
    }

    /// A switch rather than a table: no lazy global to initialise on the hot path.
    @usableFromInline
    static func powerOfTen(_ exponent: Int) -> UInt64 {
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
