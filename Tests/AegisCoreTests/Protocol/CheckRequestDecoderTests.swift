import Testing

@testable import AegisCore

private func decode(_ text: String) -> Result<CheckRequest, RequestError> {
    CheckRequestDecoder.decode(Array(text.utf8))
}

private func request(_ text: String) throws -> CheckRequest {
    try decode(text).get()
}

private func failure(_ text: String) -> RequestError? {
    if case .failure(let error) = decode(text) { return error }
    return nil
}

private func id(_ text: String) -> String? {
    (try? request(text))?.rawID.map { String(decoding: $0, as: UTF8.self) }
}

@Test func decodesAFullRequest() throws {
    let decoded = try request(
        #"{"type":"check","id":"r-1","api_key":"k1","headers":{"X-Other":"v"},"method":"GET","path":"/v1/x?y=1","#
            + #""host":"api.example","client_ip":"203.0.113.9","cost":3,"extra":{"nested":[1,2,{"a":null}]}}"#)
    #expect(
        decoded
            == CheckRequest(
                kind: .check, rawID: Array(#""r-1""#.utf8), apiKey: "k1", method: "GET", path: "/v1/x?y=1",
                host: "api.example", clientIP: "203.0.113.9", cost: 3))
}

@Test func appliesDefaults() throws {
    #expect(try request("{}") == CheckRequest())
    #expect(try request(#"{"type":null,"id":null,"cost":null,"api_key":null,"headers":null}"#) == CheckRequest())
    #expect(try request(#"{"type":"health","id":5}"#).kind == .health)
}

@Test(arguments: [
    (#"{"id":1}"#, "1"), (#"{"id":-0}"#, "-0"), (#"{"id":1e3}"#, "1e3"), (#"{"id":1.50}"#, "1.50"),
    (#"{"id": 12345678901234567890123 }"#, "12345678901234567890123"), (#"{"id":"abc"}"#, #""abc""#),
    (#"{"id":""}"#, #""""#), (#"{"id":"é\u00e9😀"}"#, #""é\u00e9😀""#), (#"{"id":"a\"b\\"}"#, #""a\"b\\""#),
])
func keepsTheIDTokenVerbatim(_ text: String, _ token: String) {
    #expect(id(text) == token)
}

@Test(arguments: [
    (#"{"api_key":"a","headers":{"x-api-key":"b","authorization":"Bearer c"}}"#, "a"),
    (#"{"api_key":"","headers":{"x-api-key":"b","authorization":"Bearer c"}}"#, "b"),
    (#"{"headers":{"X-API-Key":" b\t","authorization":"Bearer c"}}"#, "b"),
    (#"{"headers":{"x-api-key":"  ","authorization":"Bearer c"}}"#, "c"),
    (#"{"headers":{"Authorization":"bEaReR   c "}}"#, "c"),
    (#"{"headers":{"authorization":"\tBearer\tc"}}"#, "c"),
    (#"{"headers":{"x-api-key":"k\u00e9y"}}"#, "kéy"),
    (#"{"api_key":"k\"y"}"#, "k\"y"),
    (#"{"api_key":" spaced "}"#, " spaced "),
    (#"{"headers":{"x-\u0061pi-key":"b"}}"#, "b"),
])
func findsTheKey(_ text: String, _ key: String) throws {
    #expect(try request(text).apiKey == key)
}

@Test(arguments: [
    "{}", #"{"api_key":""}"#, #"{"headers":{}}"#, #"{"headers":{"x-api-key":""}}"#,
    #"{"headers":{"authorization":"Bearer"}}"#, #"{"headers":{"authorization":"Bearer "}}"#,
    #"{"headers":{"authorization":"Basic dXNlcjpwYXNz"}}"#, #"{"headers":{"authorization":"Bearerc"}}"#,
    #"{"headers":{"authorization":""}}"#, #"{"headers":{"api_key":"x","x-api-keys":"y"}}"#,
])
func treatsEmptyOrForeignCredentialsAsMissing(_ text: String) throws {
    #expect(try request(text).apiKey == nil)
}

@Test(arguments: [
    (#"{"cost":1}"#, 1), (#"{"cost":1000000}"#, 1_000_000), (#"{"cost":2.0}"#, 2), (#"{"cost":5e2}"#, 500),
    (#"{"cost":1E6}"#, 1_000_000),
])
func readsCost(_ text: String, _ cost: Int) throws {
    #expect(try request(text).cost == cost)
}

@Test(arguments: [
    #"{"cost":0}"#, #"{"cost":-1}"#, #"{"cost":1.5}"#, #"{"cost":"2"}"#, #"{"cost":1000001}"#, #"{"cost":1e7}"#,
    #"{"cost":99999999999999999999999}"#, #"{"cost":true}"#, #"{"cost":[1]}"#, #"{"cost":-0}"#, #"{"cost":1e-1}"#,
])
func rejectsBadCosts(_ text: String) {
    #expect(failure(text)?.message == #""cost" must be an integer from 1 to 1000000"#)
}

@Test(arguments: [
    ("", "invalid JSON: unexpected end of input at byte 0"),
    ("{", "invalid JSON: unexpected end of input at byte 1"),
    (#"{"api_key":"k",}"#, "invalid JSON: unexpected character at byte 15"),
    (#"{"a":1} x"#, "invalid JSON: unexpected data after the value at byte 8"),
    ("[]", "request must be a JSON object"),
    (#""check""#, "request must be a JSON object"),
    ("7", "request must be a JSON object"),
    (#"{"type":"purge"}"#, #""type" must be "check" or "health""#),
    (#"{"type":1}"#, #""type" must be "check" or "health""#),
    (#"{"type":"Check"}"#, #""type" must be "check" or "health""#),
    (#"{"id":true}"#, #""id" must be a string or a number"#),
    (#"{"id":{"a":1}}"#, #""id" must be a string or a number"#),
    (#"{"api_key":5}"#, #""api_key" must be a string"#),
    (#"{"path":["/"]}"#, #""path" must be a string"#),
    (#"{"client_ip":1}"#, #""client_ip" must be a string"#),
    (#"{"headers":[]}"#, #""headers" must be an object of strings"#),
    (#"{"headers":{"x-api-key":1}}"#, #""headers" must be an object of strings"#),
    (#"{"headers":{"other":null}}"#, #""headers" must be an object of strings"#),
    (#"{"cost":1,"cost":2}"#, #"duplicate field "cost""#),
    (#"{"api_key":"a","api_\u006bey":"b"}"#, #"duplicate field "api_key""#),
    (#"{"headers":{"x-api-key":"a","X-API-KEY":"b"}}"#, #"duplicate header "x-api-key""#),
    (#"{"headers":{"authorization":"a","Authorization":"b"}}"#, #"duplicate header "authorization""#),
    ("{\"api_key\":\"a\u{1}\"}", "invalid JSON: unescaped control character in string at byte 13"),
])
func rejectsBadRequests(_ text: String, _ message: String) {
    #expect(failure(text) == RequestError(message: message))
}

@Test func rejectsDeepNestingInUnknownFields() {
    let text = #"{"x":"# + String(repeating: "[", count: 40) + String(repeating: "]", count: 40) + "}"
    #expect(failure(text)?.message.hasPrefix("invalid JSON: nesting too deep") == true)
}

@Test func keepsTheIDOfABadRequest() {
    #expect(failure(#"{"id":7,"cost":0}"#)?.rawID == Array("7".utf8))
    #expect(failure(#"{"cost":0,"id":"x"}"#)?.rawID == Array(#""x""#.utf8))
    #expect(failure(#"{"id":"x","api_key":"k","oops"}"#)?.rawID == Array(#""x""#.utf8))
    #expect(failure(#"{"api_key":"k","oops","id":"x"}"#)?.rawID == nil)
    #expect(failure(#"{"id":null,"cost":0}"#)?.rawID == nil)
    #expect(failure(#"{"id":false}"#)?.rawID == nil)
}

@Test func errorMessagesNeverContainTheKey() {
    let secret = "sk_live_SECRET"
    for text in [
        #"{"api_key":"\#(secret)","cost":0}"#, #"{"api_key":"\#(secret)"#, #"{"api_key":"\#(secret)\x"}"#,
        #"{"headers":{"x-api-key":"\#(secret)","x-api-key":"b"}}"#,
    ] {
        let error = failure(text)
        #expect(error != nil)
        #expect(error?.message.contains("SECRET") == false)
    }
}

@Test func decodesFromARawBufferSlice() throws {
    let bytes = Array("xx{\"cost\":4}yy".utf8)
    let result = bytes.withUnsafeBytes { CheckRequestDecoder.decode(UnsafeRawBufferPointer(rebasing: $0[2..<12])) }
    #expect(try result.get().cost == 4)
}
