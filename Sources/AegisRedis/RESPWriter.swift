import AegisCore

/// Encodes Redis commands as RESP arrays of bulk strings, appending straight to a caller's buffer.
///
/// Built for an event loop's write buffer: nothing is allocated besides the buffer's own growth,
/// so many commands can be appended back to back and sent with one `write`. A command is an
/// array header followed by exactly that many bulk strings:
///
/// ```swift
/// RESPWriter.appendArrayHeader(count: 3, to: &buffer)
/// RESPWriter.appendBulk("INCRBY", to: &buffer)
/// RESPWriter.appendBulk("counter", to: &buffer)
/// RESPWriter.appendBulk(5, to: &buffer)
/// ```
public enum RESPWriter {
    /// Starts a command of `count` arguments: `*<count>\r\n`.
    public static func appendArrayHeader(count: Int, to buffer: inout [UInt8]) {
        buffer.appendWriting(maxCount: ByteWriter.maximumIntegerBulk) {
            $0.writeRESPHeader(UInt8(ascii: "*"), count)
        }
    }

    /// Appends one argument holding the UTF-8 of `string`.
    public static func appendBulk(_ string: String, to buffer: inout [UInt8]) {
        let length = string.utf8.count
        buffer.appendWriting(maxCount: length + ByteWriter.maximumIntegerBulk) {
            $0.writeRESPHeader(UInt8(ascii: "$"), length)
            $0.writeUTF8(string)
            $0.writeCRLF()
        }
    }

    /// Appends one binary-safe argument.
    public static func appendBulk(_ bytes: some Collection<UInt8>, to buffer: inout [UInt8]) {
        appendBulkHeader(length: bytes.count, to: &buffer)
        let copied: Void? = bytes.withContiguousStorageIfAvailable { buffer.append(contentsOf: $0) }
        if copied == nil {
            buffer.append(contentsOf: bytes)
        }
        appendCRLF(to: &buffer)
    }

    /// Appends one argument holding `value` in decimal, as Redis expects numbers.
    public static func appendBulk(_ value: Int64, to buffer: inout [UInt8]) {
        buffer.appendWriting(maxCount: ByteWriter.maximumIntegerBulk) { $0.writeBulk(value) }
    }

    /// Appends one argument holding `value` in decimal.
    public static func appendBulk(_ value: Int, to buffer: inout [UInt8]) {
        appendBulk(Int64(value), to: &buffer)
    }

    /// Appends a whole command whose arguments are all text.
    public static func appendCommand(_ arguments: [String], to buffer: inout [UInt8]) {
        appendArrayHeader(count: arguments.count, to: &buffer)
        for argument in arguments {
            appendBulk(argument, to: &buffer)
        }
    }

    /// Appends `$<length>\r\n`; the caller must follow it with exactly `length` bytes and a CRLF.
    /// Lets one argument be written in pieces, such as a key built from a prefix and a name.
    public static func appendBulkHeader(length: Int, to buffer: inout [UInt8]) {
        buffer.appendWriting(maxCount: ByteWriter.maximumIntegerBulk) {
            $0.writeRESPHeader(UInt8(ascii: "$"), length)
        }
    }

    /// Appends the UTF-8 of `string` with no framing; a piece of a bulk string.
    public static func appendRaw(_ string: String, to buffer: inout [UInt8]) {
        let copied: Void? = string.utf8.withContiguousStorageIfAvailable { buffer.append(contentsOf: $0) }
        if copied == nil {
            buffer.append(contentsOf: string.utf8)
        }
    }

    /// Appends `\r\n`, which ends every header and every bulk string.
    public static func appendCRLF(to buffer: inout [UInt8]) {
        buffer.append(UInt8(ascii: "\r"))
        buffer.append(UInt8(ascii: "\n"))
    }
}
