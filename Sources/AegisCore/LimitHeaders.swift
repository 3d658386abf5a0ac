/// The numbers behind the limit headers of a check the limiter answered, kept as numbers so each
/// transport writes the headers straight into its output instead of building strings first.
///
/// The headers, in the order they are sent:
/// - `RateLimit-Policy: "burst";q=10;w=1, "minute";q=600;w=60, "month";q=100000;w=2678400`
/// - `RateLimit: "burst";r=9;t=1, "minute";r=598;t=41, "month";r=98766;t=2461000`
///   (draft-ietf-httpapi-ratelimit-headers, one item per limit)
/// - `X-RateLimit-Limit`, `X-RateLimit-Remaining` and `X-RateLimit-Reset` for the sustained
///   per-minute limit, which most clients read.
public struct LimitHeaders: Sendable, Equatable {
    /// The burst bucket's capacity, per second.
    public var burstLimit: Int64
    /// The sustained limit per rolling minute.
    public var minuteLimit: Int64
    /// The monthly quota.
    public var monthLimit: Int64
    /// The length of the quota's month, in seconds.
    public var monthWindow: Int64
    public var burstRemaining: Int64
    /// Whole seconds until the bucket is full again.
    public var burstReset: Int64
    public var minuteRemaining: Int64
    /// Whole seconds until the oldest admission leaves the minute window.
    public var minuteReset: Int64
    public var monthRemaining: Int64
    /// Whole seconds until the month ends.
    public var monthReset: Int64

    public init(
        burstLimit: Int64, minuteLimit: Int64, monthLimit: Int64, monthWindow: Int64, burstRemaining: Int64,
        burstReset: Int64, minuteRemaining: Int64, minuteReset: Int64, monthRemaining: Int64, monthReset: Int64
    ) {
        self.burstLimit = burstLimit
        self.minuteLimit = minuteLimit
        self.monthLimit = monthLimit
        self.monthWindow = monthWindow
        self.burstRemaining = burstRemaining
        self.burstReset = burstReset
        self.minuteRemaining = minuteRemaining
        self.minuteReset = minuteReset
        self.monthRemaining = monthRemaining
        self.monthReset = monthReset
    }

    /// The headers as names and values, in order: for callers that want to look at them rather
    /// than send them.
    public var headers: [Header] {
        [
            Header("RateLimit-Policy", Self.text(policy: self)),
            Header("RateLimit", Self.text(state: self)),
            Header("X-RateLimit-Limit", String(minuteLimit)),
            Header("X-RateLimit-Remaining", String(minuteRemaining)),
            Header("X-RateLimit-Reset", String(minuteReset)),
        ]
    }

    /// The most bytes `writePolicy` or `writeState` writes with a quote of `quoteLength` bytes.
    static func maxValueLength(quoteLength: Int) -> Int {
        // Six quotes, at most six numbers, and less than 48 bytes of other text.
        6 * quoteLength + 6 * ByteWriter.maxDecimalLength + 48
    }

    /// Writes the `RateLimit-Policy` value. `quote` is `"` for HTTP, `\"` inside a JSON string.
    func writePolicy(quote: StaticString, to writer: inout ByteWriter) {
        writer.write(quote)
        writer.write("burst")
        writer.write(quote)
        writer.write(";q=")
        writer.write(burstLimit)
        writer.write(";w=1, ")
        writer.write(quote)
        writer.write("minute")
        writer.write(quote)
        writer.write(";q=")
        writer.write(minuteLimit)
        writer.write(";w=60, ")
        writer.write(quote)
        writer.write("month")
        writer.write(quote)
        writer.write(";q=")
        writer.write(monthLimit)
        writer.write(";w=")
        writer.write(monthWindow)
    }

    /// Writes the `RateLimit` value. `quote` is `"` for HTTP, `\"` inside a JSON string.
    func writeState(quote: StaticString, to writer: inout ByteWriter) {
        writer.write(quote)
        writer.write("burst")
        writer.write(quote)
        writer.write(";r=")
        writer.write(burstRemaining)
        writer.write(";t=")
        writer.write(burstReset)
        writer.write(", ")
        writer.write(quote)
        writer.write("minute")
        writer.write(quote)
        writer.write(";r=")
        writer.write(minuteRemaining)
        writer.write(";t=")
        writer.write(minuteReset)
        writer.write(", ")
        writer.write(quote)
        writer.write("month")
        writer.write(quote)
        writer.write(";r=")
        writer.write(monthRemaining)
        writer.write(";t=")
        writer.write(monthReset)
    }

    private static func text(policy: LimitHeaders) -> String {
        text { policy.writePolicy(quote: "\"", to: &$0) }
    }

    private static func text(state: LimitHeaders) -> String {
        text { state.writeState(quote: "\"", to: &$0) }
    }

    private static func text(_ write: (inout ByteWriter) -> Void) -> String {
        var bytes: [UInt8] = []
        bytes.appendWriting(maxCount: maxValueLength(quoteLength: 1), write)
        return String(decoding: bytes, as: UTF8.self)
    }
}

extension LimitHeaders {
    /// The most bytes `writeJSONMembers` writes.
    static let maxJSONMembersLength = 2 * maxValueLength(quoteLength: 2) + 3 * ByteWriter.maxDecimalLength + 160

    /// Writes the headers as the members of the socket reply's `headers` object, comma-separated:
    /// `"RateLimit-Policy":"\"burst\";q=10;w=1, …","RateLimit":"…","X-RateLimit-Limit":"600",…`.
    func writeJSONMembers(to writer: inout ByteWriter) {
        writer.write(#""RateLimit-Policy":""#)
        writePolicy(quote: #"\""#, to: &writer)
        writer.write(#"","RateLimit":""#)
        writeState(quote: #"\""#, to: &writer)
        writer.write(#"","X-RateLimit-Limit":""#)
        writer.write(minuteLimit)
        writer.write(#"","X-RateLimit-Remaining":""#)
        writer.write(minuteRemaining)
        writer.write(#"","X-RateLimit-Reset":""#)
        writer.write(minuteReset)
        writer.write(#"""#)
    }

    /// The most bytes `writeHTTPFields` writes.
    static let maxHTTPFieldsLength = 2 * maxValueLength(quoteLength: 1) + 3 * ByteWriter.maxDecimalLength + 160

    /// Writes the headers as HTTP/1.1 fields, each ending in CRLF.
    func writeHTTPFields(to writer: inout ByteWriter) {
        writer.write("RateLimit-Policy: ")
        writePolicy(quote: "\"", to: &writer)
        writer.write("\r\nRateLimit: ")
        writeState(quote: "\"", to: &writer)
        writer.write("\r\nX-RateLimit-Limit: ")
        writer.write(minuteLimit)
        writer.write("\r\nX-RateLimit-Remaining: ")
        writer.write(minuteRemaining)
        writer.write("\r\nX-RateLimit-Reset: ")
        writer.write(minuteReset)
        writer.write("\r\n")
    }
}
