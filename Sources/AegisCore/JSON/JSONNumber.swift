/// Interpretations of a number's raw text, as returned by `JSONReader.readNumber()`.
public enum JSONNumber {
    /// The exact integer a number token denotes, if it denotes one within `-limit...limit`.
    ///
    /// Follows JSON Schema's notion of an integer: `2`, `2.0`, `2e0` and `200e-2` are all 2, while
    /// `1.5` is not an integer. Works on the decimal digits without floating point, so there is no
    /// rounding and no overflow however long the digits or the exponent are.
    ///
    /// - Parameters:
    ///   - text: A number token that follows RFC 8259's grammar (other input gives `nil`).
    ///   - limit: The largest magnitude accepted; at most `Int64.max`.
    /// - Returns: The value, or `nil` when it is fractional or beyond the limit.
    public static func exactInteger(_ text: UnsafeRawBufferPointer, limit: Int64 = .max) -> Int64? {
        guard let parts = Parts(text) else { return nil }

        // value = significand * 10^scale, with the significand's trailing zeros kept out of it so
        // that `1050e-2` is recognised as fractional and `100e-2` as 1.
        var significand: UInt64 = 0
        var trailingZeros = 0
        for byte in UnsafeRawBufferPointer(rebasing: text[parts.digits]) where byte != UInt8(ascii: ".") {
            let digit = UInt64(byte - UInt8(ascii: "0"))
            if digit == 0 {
                trailingZeros += 1
                continue
            }
            if significand == 0 {
                significand = digit
            } else {
                guard let shifted = scaled(significand, by: trailingZeros + 1),
                    case (let sum, false) = shifted.addingReportingOverflow(digit)
                else { return nil }
                significand = sum
            }
            trailingZeros = 0
        }
        guard significand != 0 else { return 0 }

        let scale = parts.exponent - parts.fractionDigits + trailingZeros
        guard scale >= 0, let magnitude = scaled(significand, by: scale), magnitude <= UInt64(max(0, limit)) else {
            return nil
        }
        return parts.negative ? -Int64(magnitude) : Int64(magnitude)
    }

    /// `value * 10^power`, or `nil` on overflow.
    private static func scaled(_ value: UInt64, by power: Int) -> UInt64? {
        // Twenty multiplications by ten overflow any nonzero UInt64, so larger powers need no more.
        var value = value
        for _ in 0..<min(power, 20) {
            let (product, overflow) = value.multipliedReportingOverflow(by: 10)
            if overflow { return nil }
            value = product
        }
        return value
    }

    /// The pieces of a number token: sign, the digits with the decimal point, and the exponent.
    private struct Parts {
        var negative = false
        var digits: Range<Int> = 0..<0
        var fractionDigits = 0
        /// Clamped far beyond any useful range, so absurd exponents cannot overflow.
        var exponent = 0

        init?(_ text: UnsafeRawBufferPointer) {
            var index = 0
            if index < text.count, text[index] == UInt8(ascii: "-") {
                negative = true
                index += 1
            }
            let start = index
            while index < text.count, text[index] != UInt8(ascii: "e"), text[index] != UInt8(ascii: "E") {
                guard text[index] &- UInt8(ascii: "0") < 10 || text[index] == UInt8(ascii: ".") else { return nil }
                index += 1
            }
            digits = start..<index
            guard !digits.isEmpty else { return nil }
            if let point = text[digits].firstIndex(of: UInt8(ascii: ".")) { fractionDigits = index - point - 1 }
            guard index < text.count else { return }

            index += 1
            var exponentNegative = false
            if index < text.count, text[index] == UInt8(ascii: "+") || text[index] == UInt8(ascii: "-") {
                exponentNegative = text[index] == UInt8(ascii: "-")
                index += 1
            }
            guard index < text.count else { return nil }
            while index < text.count {
                let digit = text[index] &- UInt8(ascii: "0")
                guard digit < 10 else { return nil }
                exponent = min(exponent * 10 + Int(digit), 1_000_000_000)
                index += 1
            }
            if exponentNegative { exponent = -exponent }
        }
    }
}
