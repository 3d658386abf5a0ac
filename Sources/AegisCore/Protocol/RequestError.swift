/// Why a check request was rejected; answered with `bad_request` (400) on a connection that stays
/// open.
///
/// The message names fields and byte offsets, never values, so a credential in a malformed
/// request cannot leak into a reply or a log line.
public struct RequestError: Error, Equatable, Sendable, CustomStringConvertible {
    /// For the reply's body, for example `"cost" must be an integer from 1 to 1000000`.
    public var message: String
    /// The request's `id` token when it could be read, so the reply can still echo it.
    public var rawID: [UInt8]?

    public init(message: String, rawID: [UInt8]? = nil) {
        self.message = message
        self.rawID = rawID
    }

    public var description: String { message }
}
