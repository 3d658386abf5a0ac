/// Frames replies in a connection's mode, writing them straight into its output buffer.
///
/// Write a reply between `beginReply` and `endReply`:
///
/// ```swift
/// let start = Framing.beginReply(&out, mode: mode)
/// ReplyEncoder.appendCheckReply(decision, rawID: request.rawID, to: &out)
/// Framing.endReply(&out, mode: mode, start: start)
/// ```
///
/// The length prefix is reserved first and patched afterwards, so the reply is never copied.
public enum Framing {
    /// Starts a frame at the end of `out`.
    /// - Returns: The frame's start, to pass to `endReply`.
    public static func beginReply(_ out: inout [UInt8], mode: FramingMode) -> Int {
        let start = out.count
        if mode == .lengthPrefixed { out.append(contentsOf: [0, 0, 0, 0] as [UInt8]) }
        return start
    }

    /// Finishes the frame begun at `start`: patches its length prefix, or ends its line.
    ///
    /// Line mode relies on the reply containing no raw newline, which `JSONWriter` guarantees.
    public static func endReply(_ out: inout [UInt8], mode: FramingMode, start: Int) {
        switch mode {
        case .lengthPrefixed:
            let length = UInt32(truncatingIfNeeded: out.count - start - 4)
            out[start] = UInt8(truncatingIfNeeded: length >> 24)
            out[start + 1] = UInt8(truncatingIfNeeded: length >> 16)
            out[start + 2] = UInt8(truncatingIfNeeded: length >> 8)
            out[start + 3] = UInt8(truncatingIfNeeded: length)
        case .lines:
            out.append(UInt8(ascii: "\n"))
        }
    }
}
