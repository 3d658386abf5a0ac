import Testing

@testable import AegisCore

/// Runs `validate` over the UTF-8 of `text`, returning the error code if it is rejected.
private func rejection(_ bytes: [UInt8], maxDepth: Int = 64) -> JSONError.Code? {
    bytes.withUnsafeBytes { buffer in
        do throws(JSONError) {
            try JSONReader.validate(buffer, maxDepth: maxDepth)
            return nil
        } catch {
            return error.code
        }
    }
}

private func rejection(_ text: String, maxDepth: Int = 64) -> JSONError.Code? {
    rejection(Array(text.utf8), maxDepth: maxDepth)
}

/// Decodes the single string value in `text`.
private func decodedString(_ text: String) throws -> String {
    try Array(text.utf8).withUnsafeBytes { buffer in
        var reader = JSONReader(buffer)
        let value = try reader.readString()
        try reader.finish()
        return value
    }
}

@Test(arguments: [
    "{}", "[]", "0", "-0", "1.5", "-12.5e+3", "1E-7", "true", "false", "null", "\"\"", " \t\r\n{ } ",
    #"{"a":[1,{"b":null}],"c":"d"}"#, #"["\u00e9\ud83d\ude00\n\/"]"#, "\"é日本😀\"", "[[[[]]]]",
    #"{"a":1,"a":2}"#, "1e999999999999999999",
])
func acceptsValidJSON(_ text: String) {
    #expect(rejection(text) == nil)
}

@Test(arguments: [
    ("", JSONError.Code.unexpectedEnd), ("   ", .unexpectedEnd), ("{", .unexpectedEnd), ("[1,", .unexpectedEnd),
    ("\"abc", .unexpectedEnd), ("{\"a\" 1}", .unexpectedByte), ("{\"a\":1,}", .unexpectedByte),
    ("[1,]", .unexpectedByte), ("{a:1}", .unexpectedByte), ("[1 2]", .unexpectedByte), ("01", .trailingData),
    ("1.", .invalidNumber), (".5", .unexpectedByte), ("+1", .unexpectedByte), ("-", .unexpectedEnd),
    ("-a", .invalidNumber), ("1e", .invalidNumber), ("1e+", .invalidNumber), ("tru", .unexpectedEnd),
    ("trUe", .invalidLiteral), ("nul1", .invalidLiteral), ("{} {}", .trailingData), ("'a'", .unexpectedByte),
    (#""\x""#, .invalidEscape), (#""\u12G4""#, .invalidEscape), (#""\ud800""#, .unpairedSurrogate),
    (#""\ud800\u0041""#, .unpairedSurrogate), (#""\udc00""#, .unpairedSurrogate), (#""\u12""#, .unexpectedEnd),
    ("\"a\tb\"", .controlCharacter), ("\"a\nb\"", .controlCharacter), ("NaN", .unexpectedByte),
    ("[Infinity]", .unexpectedByte), ("\u{FEFF}{}", .unexpectedByte),
])
func rejectsInvalidJSON(_ text: String, _ code: JSONError.Code) {
    #expect(rejection(text) == code)
}

@Test(
    arguments: [
        [0x22, 0xC3, 0x28, 0x22],  // bad continuation
        [0x22, 0xC0, 0xAF, 0x22],  // overlong '/'
        [0x22, 0xE0, 0x80, 0xAF, 0x22],  // overlong 3-byte
        [0x22, 0xED, 0xA0, 0x80, 0x22],  // encoded surrogate U+D800
        [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22],  // above U+10FFFF
        [0x22, 0xF5, 0x80, 0x80, 0x80, 0x22],  // invalid lead byte
        [0x22, 0x80, 0x22],  // lone continuation
        [0x22, 0xFF, 0x22],
    ] as [[UInt8]])
func rejectsMalformedUTF8(_ bytes: [UInt8]) {
    #expect(rejection(bytes) == .invalidUTF8)
}

@Test func rejectsTruncatedUTF8() {
    #expect(rejection([0x22, 0xE2, 0x82]) == .unexpectedEnd)
}

@Test func acceptsBoundaryUTF8() {
    let bytes: [UInt8] = [
        0x22, 0xC2, 0x80, 0xDF, 0xBF, 0xE0, 0xA0, 0x80, 0xED, 0x9F, 0xBF, 0xEE, 0x80, 0x80,
        0xF0, 0x90, 0x80, 0x80, 0xF4, 0x8F, 0xBF, 0xBF, 0x22,
    ]
    #expect(rejection(bytes) == nil)
}

@Test func enforcesDepthLimit() {
    #expect(rejection(String(repeating: "[", count: 3) + String(repeating: "]", count: 3), maxDepth: 3) == nil)
    #expect(rejection(String(repeating: "[", count: 4) + String(repeating: "]", count: 4), maxDepth: 3) == .tooDeep)
    #expect(rejection(String(repeating: "{\"a\":", count: 100_000), maxDepth: 64) == .tooDeep)
}

@Test func decodesEscapes() throws {
    #expect(try decodedString(#""a\"b\\c\/d\be\ff\ng\rh\ti""#) == "a\"b\\c/d\u{8}e\u{C}f\ng\rh\ti")
    #expect(try decodedString(#""\u0041\u00e9\u65E5\ud83d\ude00\u0000""#) == "Aé日😀\u{0}")
    #expect(try decodedString("\"plain ascii\"") == "plain ascii")
    #expect(try decodedString("\"日本語\"") == "日本語")
}

@Test func reportsErrorOffsets() {
    let bytes = Array(#"{"a": tru }"#.utf8)
    bytes.withUnsafeBytes { buffer in
        #expect(throws: JSONError(.invalidLiteral, at: 9)) { try JSONReader.validate(buffer) }
        return
    }
    #expect(JSONError(.invalidNumber, at: 17).description == "invalid number at byte 17")
}

@Test func walksObjectsAndComparesNames() throws {
    let bytes = Array(#" {"Name": "x", "n\u0061me": [1, 2], "other": {"deep": [true]}, "num": -1.5e3} "#.utf8)
    try bytes.withUnsafeBytes { buffer in
        var reader = JSONReader(buffer)
        var seen: [String] = []
        var numberText = ""
        try reader.readObject { reader, name throws(JSONError) in
            seen.append(reader.string(for: name))
            if reader.equals(name, "name") {
                #expect(name.hasEscapes)
                var count = 0
                try reader.readArray { reader throws(JSONError) in
                    _ = try reader.readNumber()
                    count += 1
                }
                #expect(count == 2)
            } else if reader.equalsIgnoringCase(name, "name") {
                #expect(!reader.equals(name, "name"))
                #expect(try reader.readString() == "x")
            } else if reader.equals(name, "num") {
                let range = try reader.readNumber()
                numberText = String(decoding: UnsafeRawBufferPointer(rebasing: buffer[range]), as: UTF8.self)
            } else {
                let range = try reader.skipValue()
                #expect(range.count == #"{"deep": [true]}"#.utf8.count)
            }
        }
        try reader.finish()
        #expect(seen == ["Name", "name", "other", "num"])
        #expect(numberText == "-1.5e3")
    }
}

@Test func skipValueReturnsTokenRanges() throws {
    let bytes = Array(#"  "a\"b"  "#.utf8)
    try bytes.withUnsafeBytes { buffer throws in
        var reader = JSONReader(buffer)
        #expect(try reader.peekKind() == .string)
        #expect(try reader.skipValue() == 2..<8)
    }
}
