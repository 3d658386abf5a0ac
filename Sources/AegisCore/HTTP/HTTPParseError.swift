/// Why a request could not be parsed.
///
/// Every parse error ends the connection: once framing is in doubt, no later byte can be trusted.
/// The message is fixed per code and never echoes the client's bytes.
public struct HTTPParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong; compare against the static members.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Value: String, Sendable, Hashable {
            case malformedRequestLine = "malformed request line"
            case invalidMethod = "invalid method"
            case invalidTarget = "invalid request target"
            case unsupportedVersion = "HTTP version not supported"
            case requestLineTooLong = "request line too long"
            case invalidHeaderName = "invalid header name"
            case whitespaceBeforeColon = "whitespace before the colon of a header"
            case malformedHeader = "header line without a colon"
            case obsoleteLineFolding = "folded header lines are not allowed"
            case invalidHeaderValue = "invalid header value"
            case bareCarriageReturn = "CR not followed by LF"
            case bareLineFeed = "LF not preceded by CR"
            case tooManyHeaders = "too many header fields"
            case headersTooLarge = "header section too large"
            case missingHost = "missing Host header"
            case duplicateHost = "more than one Host header"
            case invalidContentLength = "invalid Content-Length"
            case duplicateContentLength = "more than one Content-Length"
            case conflictingFraming = "both Content-Length and Transfer-Encoding"
            case invalidTransferEncoding = "invalid Transfer-Encoding"
            case unsupportedTransferEncoding = "unsupported transfer coding"
            case bodyTooLarge = "request body too large"
            case malformedChunk = "malformed chunked body"
        }

        private let value: Value

        private init(_ value: Value) { self.value = value }

        public static let malformedRequestLine = Code(.malformedRequestLine)
        public static let invalidMethod = Code(.invalidMethod)
        public static let invalidTarget = Code(.invalidTarget)
        /// A well-formed `HTTP/x.y` other than 1.0 and 1.1.
        public static let unsupportedVersion = Code(.unsupportedVersion)
        public static let requestLineTooLong = Code(.requestLineTooLong)
        public static let invalidHeaderName = Code(.invalidHeaderName)
        public static let whitespaceBeforeColon = Code(.whitespaceBeforeColon)
        public static let malformedHeader = Code(.malformedHeader)
        public static let obsoleteLineFolding = Code(.obsoleteLineFolding)
        public static let invalidHeaderValue = Code(.invalidHeaderValue)
        public static let bareCarriageReturn = Code(.bareCarriageReturn)
        public static let bareLineFeed = Code(.bareLineFeed)
        public static let tooManyHeaders = Code(.tooManyHeaders)
        public static let headersTooLarge = Code(.headersTooLarge)
        public static let missingHost = Code(.missingHost)
        public static let duplicateHost = Code(.duplicateHost)
        public static let invalidContentLength = Code(.invalidContentLength)
        public static let duplicateContentLength = Code(.duplicateContentLength)
        public static let conflictingFraming = Code(.conflictingFraming)
        /// `Transfer-Encoding` in an HTTP/1.0 request, or `chunked` applied twice.
        public static let invalidTransferEncoding = Code(.invalidTransferEncoding)
        /// A transfer coding other than a lone `chunked`.
        public static let unsupportedTransferEncoding = Code(.unsupportedTransferEncoding)
        public static let bodyTooLarge = Code(.bodyTooLarge)
        public static let malformedChunk = Code(.malformedChunk)

        public var description: String { value.rawValue }

        /// The response status for this code.
        public var status: Int {
            switch value {
            case .requestLineTooLong: 414
            case .tooManyHeaders, .headersTooLarge: 431
            case .bodyTooLarge: 413
            case .unsupportedTransferEncoding: 501
            case .unsupportedVersion: 505
            default: 400
            }
        }
    }

    public var code: Code
    /// Whether the error was found while discarding a body, after the request's head had already
    /// been reported: that request may already have its answer, so the connection should just close.
    public var inBody: Bool

    public init(_ code: Code, inBody: Bool = false) {
        self.code = code
        self.inBody = inBody
    }

    /// The status to answer with: 400, or 413, 414, 431, 501, 505 where they say more.
    public var status: Int { code.status }

    /// A short explanation fit for a client-facing error body.
    public var message: String { code.description }

    public var description: String { "HTTP parse error: \(code)" }
}
