/// How a socket connection delimits its messages; fixed by the connection's first byte.
public enum FramingMode: Sendable, Equatable {
    /// Each message is a 4-byte big-endian length followed by that many bytes of JSON.
    case lengthPrefixed
    /// Each message is one line of JSON ending in `\n` (a `\r` before it is dropped); chosen when
    /// the first byte is `{`, for hand use with `socat` or `nc`.
    case lines
}

/// What a `FrameDecoder` found at the start of the buffer it was given.
public enum FrameEvent: Sendable, Equatable {
    /// No complete message yet: read more bytes and call again with the whole unconsumed buffer.
    case needMore
    /// A message's JSON occupies `range` of the buffer; drop the first `consumed` bytes from the
    /// buffer once done with it (before the next call).
    case message(Range<Int>, consumed: Int)
    /// The stream broke the framing rules: answer with a `bad_request` reply and close.
    case failure(FrameError)
}

/// Finds message boundaries in a connection's incoming bytes without copying them.
///
/// A value-type state machine: the connection owns the read buffer and an offset into it, passes
/// the unconsumed bytes (`buffer[offset...]`) to `next(in:)`, and advances the offset by
/// `consumed` after each message. Ranges are relative to the buffer passed in. Sizes are checked
/// before anything waits for them, so a hostile length prefix or an endless line never makes the
/// connection buffer more than about `maxFrameBytes`.
///
/// Line mode ignores blank lines; they count toward the length of the line that follows them.
public struct FrameDecoder: Sendable {
    /// The largest JSON message accepted, in bytes, excluding the length prefix or line ending.
    public let maxFrameBytes: Int
    /// The connection's framing, known once its first byte has been seen.
    public private(set) var mode: FramingMode?
    private var failed: FrameError?
    /// In line mode, how many bytes at the buffer's start are known to contain no newline, so
    /// bytes arriving slowly are not scanned again and again.
    private var scanned = 0
    /// In line mode, where the first non-blank byte of the pending line is, once seen.
    private var contentStart: Int?

    /// The cap is kept between 1 and 0x7AFFFFFF: a real length prefix must never look like `{`.
    public init(maxFrameBytes: Int = 65536) {
        self.maxFrameBytes = min(max(1, maxFrameBytes), 0x7AFF_FFFF)
    }

    /// Looks for the next complete message at the start of `buffer`, the connection's unconsumed
    /// bytes.
    ///
    /// After `.needMore`, the next call must get the same bytes at the start of its buffer (with
    /// more after them); after `.message`, the buffer must start `consumed` bytes further on.
    /// After `.failure` every later call returns the same failure.
    public mutating func next(in buffer: UnsafeRawBufferPointer) -> FrameEvent {
        if let failed { return .failure(failed) }
        guard !buffer.isEmpty else { return .needMore }
        if mode == nil { mode = buffer[0] == UInt8(ascii: "{") ? .lines : .lengthPrefixed }

        let event = mode == .lines ? nextLine(in: buffer) : nextLengthPrefixed(in: buffer)
        switch event {
        case .failure(let error): failed = error
        case .message:
            scanned = 0
            contentStart = nil
        case .needMore: break
        }
        return event
    }

    private func nextLengthPrefixed(in buffer: UnsafeRawBufferPointer) -> FrameEvent {
        guard buffer.count >= 4 else { return .needMore }
        let length = Int(buffer[0]) << 24 | Int(buffer[1]) << 16 | Int(buffer[2]) << 8 | Int(buffer[3])
        if length == 0 { return .failure(.zeroLength) }
        if length > maxFrameBytes { return .failure(.tooLarge(length, limit: maxFrameBytes)) }
        guard buffer.count - 4 >= length else { return .needMore }
        return .message(4..<(4 + length), consumed: 4 + length)
    }

    private mutating func nextLine(in buffer: UnsafeRawBufferPointer) -> FrameEvent {
        // A line of maxFrameBytes plus "\r\n" is the longest that can still be valid.
        let window = min(buffer.count, maxFrameBytes + 2)
        var index = scanned
        while index < window {
            let byte = buffer[index]
            if byte == UInt8(ascii: "\n"), let start = contentStart {
                var end = index
                if buffer[end - 1] == UInt8(ascii: "\r") { end -= 1 }
                guard end <= maxFrameBytes else { return .failure(.lineTooLong(limit: maxFrameBytes)) }
                return .message(start..<end, consumed: index + 1)
            }
            if contentStart == nil, !Self.isBlank(byte) { contentStart = index }
            index += 1
        }
        scanned = index
        return window == maxFrameBytes + 2 ? .failure(.lineTooLong(limit: maxFrameBytes)) : .needMore
    }

    private static func isBlank(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r") || byte == 0x0A
    }
}
