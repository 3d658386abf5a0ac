import Testing

@testable import AegisCore

private func written(_ body: (inout [UInt8]) -> Void) -> String {
    var out: [UInt8] = []
    body(&out)
    return String(decoding: out, as: UTF8.self)
}

@Test func escapesStrings() {
    #expect(written { JSONWriter.appendString("plain", to: &$0) } == #""plain""#)
    #expect(written { JSONWriter.appendString("", to: &$0) } == #""""#)
    #expect(written { JSONWriter.appendString("a\"b\\c", to: &$0) } == #""a\"b\\c""#)
    #expect(written { JSONWriter.appendString("\n\r\t\u{8}\u{C}", to: &$0) } == #""\n\r\t\b\f""#)
    #expect(written { JSONWriter.appendString("\u{0}\u{1}\u{1F}\u{7F}", to: &$0) } == "\"\\u0000\\u0001\\u001f\u{7F}\"")
    #expect(written { JSONWriter.appendString("é日😀/", to: &$0) } == "\"é日😀/\"")
}

@Test func escapedStringsRoundTrip() throws {
    var all = ""
    for value in 0..<0x80 { all.unicodeScalars.append(Unicode.Scalar(UInt8(value))) }
    all += "é\u{2028}😀"
    var out: [UInt8] = []
    JSONWriter.appendString(all, to: &out)
    #expect(!out.contains(0x0A))
    let decoded = try out.withUnsafeBytes { buffer in
        var reader = JSONReader(buffer)
        return try reader.readString()
    }
    #expect(decoded == all)
}

@Test(arguments: [Int64(0), 1, 9, 10, 99, 100, -1, -10, 1_000_000, .max, .min])
func formatsIntegers(_ value: Int64) {
    #expect(written { JSONWriter.appendInteger(value, to: &$0) } == String(value))
}

@Test func appendsAfterExistingBytes() {
    var out = Array("x:".utf8)
    JSONWriter.appendInteger(42, to: &out)
    JSONWriter.appendRaw(",", to: &out)
    JSONWriter.appendBool(false, to: &out)
    #expect(String(decoding: out, as: UTF8.self) == "x:42,false")
}
