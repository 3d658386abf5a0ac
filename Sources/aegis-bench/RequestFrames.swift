import AegisCore

/// One length-prefixed check request per key, encoded once before the run so that sending is a
/// copy of bytes.
struct RequestFrames {
    /// Every frame back to back; frame `i` spans `offsets[i]..<offsets[i + 1]`.
    let bytes: [UInt8]
    let offsets: [Int]
    let largest: Int

    var count: Int { offsets.count - 1 }

    init(keys: [[UInt8]], path: String) {
        var bytes: [UInt8] = []
        var offsets = [0]
        var largest = 0
        for key in keys {
            let start = bytes.count
            bytes += [0, 0, 0, 0]
            JSONWriter.appendRaw(#"{"api_key":"#, to: &bytes)
            key.withUnsafeBytes { JSONWriter.appendString(utf8: $0, to: &bytes) }
            JSONWriter.appendRaw(#","method":"GET","path":"#, to: &bytes)
            JSONWriter.appendString(path, to: &bytes)
            JSONWriter.appendRaw(#","host":"bench.local","client_ip":"127.0.0.1"}"#, to: &bytes)
            let length = UInt32(bytes.count - start - 4)
            bytes[start] = UInt8(length >> 24)
            bytes[start + 1] = UInt8(length >> 16 & 0xFF)
            bytes[start + 2] = UInt8(length >> 8 & 0xFF)
            bytes[start + 3] = UInt8(length & 0xFF)
            offsets.append(bytes.count)
            largest = max(largest, bytes.count - start)
        }
        self.bytes = bytes
        self.offsets = offsets
        self.largest = largest
    }

    /// Reads raw keys, one a line; blank lines are skipped.
    /// - Throws: ``BenchError`` when the file cannot be read, holds no key, or a line is not a
    ///   plausible key. Messages give line numbers, never a key.
    static func readKeys(_ path: String) throws(BenchError) -> [[UInt8]] {
        guard let bytes = readBytes(path, limit: 1 << 30) else {
            throw BenchError("cannot read the keys file \(path) (missing, unreadable or over 1 GiB)")
        }
        var keys: [[UInt8]] = []
        for (number, line) in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated()
        {
            var key = line[...]
            while let last = key.last, last == UInt8(ascii: "\r") || last == UInt8(ascii: " ") { key.removeLast() }
            while let first = key.first, first == UInt8(ascii: " ") { key.removeFirst() }
            if key.isEmpty { continue }
            guard key.allSatisfy({ (0x21...0x7E).contains($0) }), key.count <= 4096 else {
                throw BenchError("line \(number + 1) of \(path) is not a key (printable ASCII, at most 4096 bytes)")
            }
            keys.append(Array(key))
        }
        guard !keys.isEmpty else { throw BenchError("the keys file \(path) holds no key") }
        return keys
    }
}
