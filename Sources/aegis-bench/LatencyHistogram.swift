/// Latencies in nanoseconds, counted in log-linear buckets: exact below 128 ns, then 64 buckets per
/// power of two, so any percentile is within 1 % of the true value at a fixed 30 KiB of memory.
///
/// A class over raw memory rather than an array, since `record` runs once per reply in the
/// generator's hot loop.
final class LatencyHistogram {
    private static let linear: UInt64 = 128
    private static let perOctave = 64
    private static let bucketCount = 128 + 64 * 57

    private let counts: UnsafeMutablePointer<UInt64>
    private(set) var total: UInt64 = 0
    private(set) var maximum: UInt64 = 0
    private(set) var sum: UInt64 = 0

    init() {
        counts = .allocate(capacity: Self.bucketCount)
        counts.initialize(repeating: 0, count: Self.bucketCount)
    }

    deinit {
        counts.deallocate()
    }

    func record(_ nanoseconds: UInt64) {
        counts[Self.index(of: nanoseconds)] += 1
        total += 1
        sum &+= nanoseconds
        if nanoseconds > maximum { maximum = nanoseconds }
    }

    /// The latency below which `fraction` (0...1) of the recorded ones lie; 0 when nothing was recorded.
    func percentile(_ fraction: Double) -> UInt64 {
        guard total > 0 else { return 0 }
        let rank = max(1, UInt64((fraction * Double(total)).rounded(.up)))
        var seen: UInt64 = 0
        for index in 0..<Self.bucketCount {
            seen += counts[index]
            if seen >= rank { return min(Self.value(at: index), maximum) }
        }
        return maximum
    }

    var mean: Double { total == 0 ? 0 : Double(sum) / Double(total) }

    private static func index(of value: UInt64) -> Int {
        guard value >= linear else { return Int(value) }
        let highBit = 63 - value.leadingZeroBitCount
        let shift = highBit - 6
        let mantissa = Int(value >> UInt64(shift))
        return min(Int(linear) + (highBit - 7) * perOctave + (mantissa - perOctave), bucketCount - 1)
    }

    /// The middle of a bucket's range.
    private static func value(at index: Int) -> UInt64 {
        guard index >= Int(linear) else { return UInt64(index) }
        let offset = index - Int(linear)
        let shift = UInt64(offset / perOctave + 1)
        let lower = UInt64(offset % perOctave + perOctave) << shift
        return lower + ((1 << shift) - 1) / 2
    }
}
