internal import CCrypto

/// API key material: generation, the SHA-256 hash that is all Aegis stores, and the short
/// prefix shown in listings.
///
/// A raw key is `ak_` followed by the unpadded base64url form of 32 bytes from OpenSSL's secure
/// random source (`RAND_bytes`), 46 characters in all. It is printed once when made and never
/// stored or logged; the database keeps its hex SHA-256 and its first eight characters.
public enum APIKey {
    /// The marker every raw key starts with, so a leaked key is recognisable.
    public static let marker = "ak_"
    /// How many random bytes a key carries.
    public static let randomByteCount = 32
    /// How many leading characters of a raw key are kept for display (`ak_` plus five).
    public static let displayPrefixLength = 8

    /// Makes a new raw key.
    /// - Throws: ``APIKeyError`` when the secure random source fails (`RAND_bytes` returns 0).
    public static func generate() throws(APIKeyError) -> String {
        var bytes = [UInt8](repeating: 0, count: randomByteCount)
        let status = bytes.withUnsafeMutableBufferPointer { RAND_bytes($0.baseAddress, Int32($0.count)) }
        guard status == 1 else {
            throw APIKeyError("the secure random source failed (RAND_bytes returned \(status))")
        }
        return marker + base64URL(bytes)
    }

    /// The lowercase hex SHA-256 of the key's UTF-8 bytes, as stored in `api_keys.key_hash`.
    public static func hash(_ key: String) -> String {
        var key = key
        return key.withUTF8 { hash(bytes: UnsafeRawBufferPointer($0)) }
    }

    /// The lowercase hex SHA-256 of raw bytes (the key as it came off the wire).
    public static func hash(bytes: UnsafeRawBufferPointer) -> String {
        hex(sha256(bytes))
    }

    /// The 32-byte SHA-256 digest.
    public static func sha256(_ bytes: UnsafeRawBufferPointer) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: Int(SHA256_DIGEST_LENGTH))
        digest.withUnsafeMutableBytes { sha256(bytes, into: $0) }
        return digest
    }

    /// Writes the 32-byte SHA-256 digest of `bytes` into `digest`, allocating nothing
    /// (OpenSSL `SHA256_Init`, `SHA256_Update`, `SHA256_Final`).
    /// - Precondition: `digest` holds at least 32 bytes.
    public static func sha256(_ bytes: UnsafeRawBufferPointer, into digest: UnsafeMutableRawBufferPointer) {
        precondition(digest.count >= Int(SHA256_DIGEST_LENGTH))
        var context = SHA256_CTX()
        SHA256_Init(&context)
        SHA256_Update(&context, bytes.baseAddress, bytes.count)
        SHA256_Final(digest.baseAddress?.assumingMemoryBound(to: UInt8.self), &context)
    }

    /// The part of a raw key that may be shown: its first ``displayPrefixLength`` characters.
    public static func displayPrefix(of key: String) -> String {
        String(key.prefix(displayPrefixLength))
    }

    /// Lowercase hex of the bytes.
    public static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        return String(unsafeUninitializedCapacity: bytes.count * 2) { buffer in
            for (index, byte) in bytes.enumerated() {
                buffer[2 * index] = digits[Int(byte >> 4)]
                buffer[2 * index + 1] = digits[Int(byte & 0xF)]
            }
            return bytes.count * 2
        }
    }

    /// RFC 4648 section 5 (URL- and filename-safe alphabet), without `=` padding.
    static func base64URL(_ bytes: [UInt8]) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count * 4 + 2) / 3)
        var index = 0
        while index < bytes.count {
            let chunk = bytes[index..<min(index + 3, bytes.count)]
            var word: UInt32 = 0
            for (shift, byte) in zip([16, 8, 0], chunk) {
                word |= UInt32(byte) << UInt32(shift)
            }
            for position in 0...chunk.count {
                out.append(alphabet[Int((word >> UInt32(18 - 6 * position)) & 0x3F)])
            }
            index += 3
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// Why a key could not be made.
public struct APIKeyError: Error, CustomStringConvertible {
    public var message: String

    init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
