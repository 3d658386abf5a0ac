/// Decodes one protocol v1 request (the JSON of one frame) into a `CheckRequest`.
///
/// Works on the frame's bytes in place; only the values kept in the request are copied out. The
/// rules, also in `proto-schema/PROTOCOL.md`:
/// - the request is a JSON object; unknown fields are ignored, a known field given twice is an
///   error, and `null` counts as absent;
/// - `type` is `"check"` (the default) or `"health"`; `id` is a string or a number, kept as its
///   exact token; `cost` is an integer from 1 to 1,000,000 (`2.0` and `2e0` count as 2);
/// - `api_key`, `method`, `path`, `host` and `client_ip` are strings; `headers` is an object whose
///   values are strings and whose names compare without case;
/// - the key is `api_key`, else header `x-api-key`, else `authorization: Bearer <key>` (scheme
///   without case); header values lose surrounding spaces and tabs; an empty key is no key.
public enum CheckRequestDecoder {
    /// The largest `cost` one check may carry.
    public static let maxCost = 1_000_000
    /// Deep enough for any real request; stops hostile nesting long before the stack is at risk.
    static let maxDepth = 32

    /// Decodes a request.
    /// - Parameter bytes: The frame's JSON, as located by `FrameDecoder`.
    /// - Returns: The request, or the reason it is a bad request (with its `id` when readable).
    public static func decode(_ bytes: UnsafeRawBufferPointer) -> Result<CheckRequest, RequestError> {
        var fields = RequestFields()
        var reader = JSONReader(bytes, maxDepth: maxDepth)
        do throws(JSONError) {
            guard try reader.peekKind() == .object else {
                return .failure(RequestError(message: "request must be a JSON object"))
            }
            try reader.readObject { reader, name throws(JSONError) in try fields.read(name, from: &reader) }
            try reader.finish()
        } catch {
            return .failure(RequestError(message: "invalid JSON: \(error)", rawID: fields.rawID(in: bytes)))
        }
        return fields.request(in: reader)
    }

    /// Decodes a request held in an array.
    public static func decode(_ bytes: [UInt8]) -> Result<CheckRequest, RequestError> {
        bytes.withUnsafeBytes { decode($0) }
    }
}
