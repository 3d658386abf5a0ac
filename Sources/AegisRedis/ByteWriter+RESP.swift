import AegisCore

/// RESP pieces written into room reserved beforehand, so that a whole command costs one
/// `Array.appendWriting` instead of one append per piece.
extension ByteWriter {
    /// The most bytes ``writeBulk(_:)`` writes: `$20\r\n`, 20 digits and a sign, CRLF.
    static let maximumIntegerBulk = 28

    /// The UTF-8 of `text`, with no framing.
    mutating func writeUTF8(_ text: String) {
        let copied: Void? = text.utf8.withContiguousStorageIfAvailable { write(UnsafeRawBufferPointer($0)) }
        if copied == nil {
            for byte in text.utf8 {
                write(byte)
            }
        }
    }

    mutating func writeCRLF() {
        write(UInt8(ascii: "\r"))
        write(UInt8(ascii: "\n"))
    }

    /// `<marker><length>\r\n`, as in `*3\r\n` or `$5\r\n`.
    mutating func writeRESPHeader(_ marker: UInt8, _ length: Int) {
        write(marker)
        write(length)
        writeCRLF()
    }

    /// A whole bulk string holding `value` in decimal.
    mutating func writeBulk(_ value: Int64) {
        writeRESPHeader(UInt8(ascii: "$"), DecimalText.length(value))
        write(value)
        writeCRLF()
    }
}
