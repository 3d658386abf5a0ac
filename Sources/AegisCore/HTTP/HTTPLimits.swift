/// Bounds the HTTP bridge puts on what a client may send, so no request can make it buffer much.
public struct HTTPLimits: Sendable, Equatable {
    /// Longest request line, without its CRLF (and counting any empty lines before it).
    public var maxRequestLineBytes: Int
    /// Most header fields in one request.
    public var maxHeaderCount: Int
    /// Largest header section, from the first field line through the empty line that ends it.
    public var maxHeaderBytes: Int
    /// Largest request body the bridge will read and throw away; a body is never needed, so a big
    /// one only costs bandwidth. Chunk framing and trailers count too.
    public var maxBodyBytes: Int

    public init(
        maxRequestLineBytes: Int = 8 * 1024, maxHeaderCount: Int = 100, maxHeaderBytes: Int = 32 * 1024,
        maxBodyBytes: Int = 1024 * 1024
    ) {
        self.maxRequestLineBytes = max(maxRequestLineBytes, 16)
        self.maxHeaderCount = max(maxHeaderCount, 1)
        self.maxHeaderBytes = max(maxHeaderBytes, 2)
        self.maxBodyBytes = max(maxBodyBytes, 0)
    }
}
