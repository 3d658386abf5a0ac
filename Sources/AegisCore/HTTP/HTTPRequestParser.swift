/// What the parser found at the front of the caller's buffer.
public enum HTTPParseEvent: Sendable, Equatable {
    /// Nothing complete yet: read more bytes and call again with the longer buffer.
    case needMore
    /// A complete head; drop `consumed` bytes from the front of the buffer and call again. The
    /// request may be answered at once, before its body has been skipped. When `keepAlive` is false,
    /// answer it and close: later bytes on the connection are not read.
    case request(HTTPRequestHead, consumed: Int)
    /// Body bytes of the last request, thrown away; drop `consumed` bytes and call again.
    case bodySkipped(consumed: Int)
    /// The bytes cannot be a valid request: answer with `error.status` (unless `error.inBody`) and close.
    case failure(HTTPParseError)
}

/// A strict, incremental HTTP/1.1 request parser over a buffer the caller owns.
///
/// The caller keeps the unconsumed bytes in one contiguous buffer and passes them, from the first
/// unconsumed byte, to `next(in:)` until it answers `.needMore`; after each event it drops the bytes
/// the event consumed. Between calls the caller may only append bytes: the parser remembers how far
/// it has validated an unfinished head, so a head trickling in byte by byte costs linear time.
///
/// Bodies are never buffered: their bytes are reported as skipped as soon as they arrive, so the
/// caller's buffer only ever has to hold one head (the limits bound it).
public struct HTTPRequestParser: Sendable {
    private enum Phase: Sendable {
        case head
        case fixedBody(remaining: Int)
        case chunkedBody
        case failed(HTTPParseError)
    }

    public let limits: HTTPLimits
    private var phase = Phase.head
    private var builder = HTTPHeadBuilder()
    private var chunked: HTTPChunkedDiscarder
    /// Bytes of the buffer already searched for the end of a line.
    private var scanned = 0
    /// Where the first line not yet validated starts.
    private var lineStart = 0
    /// Where the header section starts, once the request line is in.
    private var headerStart: Int?

    public init(limits: HTTPLimits = .init()) {
        self.limits = limits
        chunked = HTTPChunkedDiscarder(maxBodyBytes: limits.maxBodyBytes)
    }

    /// How many body bytes must still be skipped before the next request: exact for a
    /// `Content-Length` body, `nil` inside a chunked body (its end is not known in advance), 0 otherwise.
    public var bodyBytesRemaining: Int? {
        switch phase {
        case .fixedBody(let remaining): remaining
        case .chunkedBody: nil
        case .head, .failed: 0
        }
    }

    /// Whether the parser is between requests with no part of the next head validated yet.
    public var isIdle: Bool {
        if case .head = phase { return scanned == 0 }
        return false
    }

    /// Parses what it can from the front of `buffer`.
    /// - Parameter buffer: the unconsumed bytes, starting where the last consumed event ended.
    /// - Returns: one event; after `.failure` every later call returns the same failure.
    public mutating func next(in buffer: UnsafeRawBufferPointer) -> HTTPParseEvent {
        switch phase {
        case .failed(let error):
            return .failure(error)
        case .head:
            return nextHead(in: buffer)
        case .fixedBody(let remaining):
            let count = min(remaining, buffer.count)
            guard count > 0 else { return .needMore }
            phase = remaining == count ? .head : .fixedBody(remaining: remaining - count)
            return .bodySkipped(consumed: count)
        case .chunkedBody:
            do {
                let (consumed, finished) = try chunked.discard(buffer)
                if finished { phase = .head }
                return consumed > 0 ? .bodySkipped(consumed: consumed) : .needMore
            } catch {
                return fail(error)
            }
        }
    }

    private mutating func nextHead(in buffer: UnsafeRawBufferPointer) -> HTTPParseEvent {
        // A caller that dropped unconsumed bytes broke the contract; start over rather than read
        // past the end of the buffer.
        if buffer.count < scanned { resetHead() }

        while let end = Self.firstLineFeed(in: buffer, from: scanned) {
            scanned = end + 1
            do {
                if let head = try line(in: buffer, endingAt: end) {
                    resetHead()
                    switch head.body {
                    case .contentLength(let length) where length > 0: phase = .fixedBody(remaining: length)
                    case .chunked: phase = .chunkedBody
                    default: break
                    }
                    return .request(head, consumed: end + 1)
                }
            } catch {
                return fail(error)
            }
            lineStart = end + 1
        }
        scanned = buffer.count
        if let error = unterminatedLineIsTooLong(bufferCount: buffer.count) { return fail(error) }
        return .needMore
    }

    /// Handles the line that ends with the LF at `end`; returns the head when the line was the
    /// empty one that closes it.
    private mutating func line(
        in buffer: UnsafeRawBufferPointer, endingAt end: Int
    ) throws(HTTPParseError) -> HTTPRequestHead? {
        // Limits first, as for an unterminated line, so the verdict never depends on how the bytes
        // were split across reads.
        if let headerStart {
            if end + 1 - headerStart > limits.maxHeaderBytes { throw HTTPParseError(.headersTooLarge) }
        } else if end - 1 > limits.maxRequestLineBytes {
            throw HTTPParseError(.requestLineTooLong)
        }
        guard end > lineStart, buffer[end - 1] == HTTPSyntax.cr else { throw HTTPParseError(.bareLineFeed) }
        let content = UnsafeRawBufferPointer(rebasing: buffer[lineStart..<(end - 1)])

        guard headerStart != nil else {
            // The request line; RFC 9112 §2.2 asks servers to ignore empty lines before it.
            if content.isEmpty { return nil }
            try builder.requestLine(content)
            headerStart = end + 1
            return nil
        }
        if content.isEmpty { return try builder.finish(limits: limits) }
        if builder.headers.count >= limits.maxHeaderCount { throw HTTPParseError(.tooManyHeaders) }
        try builder.headerLine(content)
        return nil
    }

    /// Whether the bytes after the last complete line already break a limit, whatever follows.
    private func unterminatedLineIsTooLong(bufferCount: Int) -> HTTPParseError? {
        if let headerStart {
            return bufferCount - headerStart > limits.maxHeaderBytes ? HTTPParseError(.headersTooLarge) : nil
        }
        // Room is left for the CR of a line exactly at the limit.
        return bufferCount > limits.maxRequestLineBytes + 1 ? HTTPParseError(.requestLineTooLong) : nil
    }

    private mutating func fail(_ error: HTTPParseError) -> HTTPParseEvent {
        var error = error
        if case .chunkedBody = phase { error.inBody = true }
        phase = .failed(error)
        return .failure(error)
    }

    private mutating func resetHead() {
        builder = HTTPHeadBuilder()
        chunked = HTTPChunkedDiscarder(maxBodyBytes: limits.maxBodyBytes)
        scanned = 0
        lineStart = 0
        headerStart = nil
    }

    private static func firstLineFeed(in buffer: UnsafeRawBufferPointer, from start: Int) -> Int? {
        var index = start
        while index < buffer.count {
            if buffer[index] == HTTPSyntax.lf { return index }
            index += 1
        }
        return nil
    }
}
