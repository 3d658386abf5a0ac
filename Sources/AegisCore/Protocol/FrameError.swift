/// A connection broke the framing rules; it gets one `bad_request` reply and is closed, since its
/// message boundaries can no longer be trusted.
public struct FrameError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The kind of violation; compare against the static members.
    public struct Code: Hashable, Sendable {
        private enum Base: Hashable, Sendable { case zeroLength, tooLarge, lineTooLong }

        private let base: Base

        /// A length prefix of zero.
        public static let zeroLength = Code(base: .zeroLength)
        /// A length prefix above the cap.
        public static let tooLarge = Code(base: .tooLarge)
        /// A line-mode line longer than the cap.
        public static let lineTooLong = Code(base: .lineTooLong)
    }

    public var code: Code
    /// The message for the `bad_request` reply.
    public var message: String

    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    /// A length prefix of zero.
    public static let zeroLength = FrameError(code: .zeroLength, message: "frame length is zero")

    /// A length prefix of `length` bytes, above `limit`.
    public static func tooLarge(_ length: Int, limit: Int) -> FrameError {
        FrameError(code: .tooLarge, message: "frame length \(length) exceeds the limit of \(limit) bytes")
    }

    /// A line longer than `limit` bytes.
    public static func lineTooLong(limit: Int) -> FrameError {
        FrameError(code: .lineTooLong, message: "line exceeds the limit of \(limit) bytes")
    }

    public var description: String { message }
}
