import Testing

@testable import AegisCore

private func integer(_ text: String, limit: Int64 = .max) -> Int64? {
    Array(text.utf8).withUnsafeBytes { JSONNumber.exactInteger($0, limit: limit) }
}

@Test(arguments: [
    ("0", Int64(0)), ("-0", 0), ("1", 1), ("-7", -7), ("2.0", 2), ("2e0", 2), ("200e-2", 2), ("1.5e1", 15),
    ("1E3", 1000), ("1e+3", 1000), ("100e-2", 1), ("0.0e5", 0), ("0e-999", 0), ("000", 0),
    ("9223372036854775807", .max), ("-9223372036854775807", -.max), ("10.000000000000000000000", 10),
    ("0.00000000000000000000000001e26", 1),
])
func exactIntegers(_ text: String, _ value: Int64) {
    #expect(integer(text) == value)
}

@Test(arguments: [
    "1.5", "0.5", "-0.1", "1050e-2", "1e-1", "9223372036854775808", "1e19", "1e999999999999999999999",
    "123456789012345678901234567890", "", "-", "abc", "1e", "1.2.3",
])
func notExactIntegers(_ text: String) {
    #expect(integer(text) == nil)
}

@Test func honoursLimit() {
    #expect(integer("1000000", limit: 1_000_000) == 1_000_000)
    #expect(integer("1000001", limit: 1_000_000) == nil)
    #expect(integer("1e6", limit: 1_000_000) == 1_000_000)
    #expect(integer("-1000001", limit: 1_000_000) == nil)
}
