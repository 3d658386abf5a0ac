/// Appends the pieces of an HTTP/1.1 response to a byte buffer.
///
/// Header values are sanitised here, once for every caller: a value holding CR or LF (a tenant id
/// or a message that came from elsewhere) must never split into a header of its own.
enum HTTPResponseWriter {
    /// `HTTP/1.1 <status> <reason phrase>` and its CRLF. The bridge always speaks HTTP/1.1, to
    /// HTTP/1.0 clients as well (RFC 9110 §6.2).
    static func appendStatusLine(_ status: Int, to out: inout [UInt8]) {
        append("HTTP/1.1 ", to: &out)
        JSONWriter.appendInteger(status, to: &out)
        out.append(HTTPSyntax.space)
        append(reasonPhrase(status), to: &out)
        appendCRLF(to: &out)
    }

    /// `name: value` and its CRLF; a name that is not a token, or that would reframe the response,
    /// is dropped, and control characters in the value become spaces.
    static func appendHeader(_ name: String, _ value: String, to out: inout [UInt8]) {
        var name = name
        var value = value
        name.withUTF8 { name in
            guard !name.isEmpty, name.allSatisfy(HTTPSyntax.isToken), !isFraming(UnsafeRawBufferPointer(name)) else {
                return
            }
            out.append(contentsOf: name)
            out.append(HTTPSyntax.colon)
            out.append(HTTPSyntax.space)
            value.withUTF8 { bytes in
                if bytes.allSatisfy(HTTPSyntax.isFieldValue) {
                    out.append(contentsOf: bytes)
                } else {
                    for byte in bytes { out.append(HTTPSyntax.isFieldValue(byte) ? byte : HTTPSyntax.space) }
                }
            }
            appendCRLF(to: &out)
        }
    }

    static func appendHeader(_ name: String, _ value: Int, to out: inout [UInt8]) {
        append(name, to: &out)
        append(": ", to: &out)
        JSONWriter.appendInteger(value, to: &out)
        appendCRLF(to: &out)
    }

    /// The framing headers, the empty line and the body.
    /// - Parameters:
    ///   - body: JSON, or empty for no body.
    ///   - keepAlive: Whether the connection stays open after this response.
    ///   - version: The request's version: an HTTP/1.0 client keeps the connection only when told.
    /// - Parameter headOnly: the request was `HEAD`: the headers describe the body, which is not sent.
    static func appendBody(
        _ body: [UInt8], keepAlive: Bool, version: HTTPVersion, headOnly: Bool = false, to out: inout [UInt8]
    ) {
        if !body.isEmpty { append("Content-Type: application/json\r\n", to: &out) }
        appendHeader("Content-Length", body.count, to: &out)
        if !keepAlive {
            append("Connection: close\r\n", to: &out)
        } else if version == .http10 {
            append("Connection: keep-alive\r\n", to: &out)
        }
        appendCRLF(to: &out)
        if !headOnly { out.append(contentsOf: body) }
    }

    /// Headers the writer sets itself; one from elsewhere would contradict them.
    private static func isFraming(_ name: UnsafeRawBufferPointer) -> Bool {
        HTTPSyntax.equalsLowercased(name, "connection") || HTTPSyntax.equalsLowercased(name, "content-length")
            || HTTPSyntax.equalsLowercased(name, "transfer-encoding")
    }

    static func reasonPhrase(_ status: Int) -> String {
        switch status {
        case 200: "OK"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 413: "Content Too Large"
        case 414: "URI Too Long"
        case 429: "Too Many Requests"
        case 431: "Request Header Fields Too Large"
        case 500: "Internal Server Error"
        case 501: "Not Implemented"
        case 503: "Service Unavailable"
        case 505: "HTTP Version Not Supported"
        default: "Unknown"
        }
    }

    private static func append(_ text: String, to out: inout [UInt8]) {
        out.append(contentsOf: text.utf8)
    }

    private static func appendCRLF(to out: inout [UInt8]) {
        out.append(HTTPSyntax.cr)
        out.append(HTTPSyntax.lf)
    }
}
