import Testing

@testable import AegisCore

@Suite struct APIKeyTests {
    @Test func generatedKeysCarryThirtyTwoRandomBytesInTheURLSafeAlphabet() throws {
        let key = try APIKey.generate()
        #expect(key.hasPrefix("ak_"))
        // 32 bytes are 43 base64 characters without padding.
        #expect(key.count == 3 + 43)
        let allowed = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        #expect(key.dropFirst(3).allSatisfy { allowed.contains($0) })
    }

    @Test func generatedKeysDiffer() throws {
        let keys = try (0..<1000).map { _ in try APIKey.generate() }
        #expect(Set(keys).count == keys.count)
        #expect(Set(keys.map(APIKey.hash)).count == keys.count)
    }

    @Test func displayPrefixIsTheMarkerAndFiveCharacters() throws {
        let key = try APIKey.generate()
        let prefix = APIKey.displayPrefix(of: key)
        #expect(prefix.count == 8)
        #expect(key.hasPrefix(prefix))
    }

    /// FIPS 180-2 appendix B and the NIST example vectors.
    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        (
            "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
        ),
    ])
    func sha256MatchesPublishedVectors(message: String, digest: String) {
        #expect(APIKey.hash(message) == digest)
    }

    @Test func hashOfBytesMatchesHashOfText() {
        let text = "ak_example"
        let fromBytes = Array(text.utf8).withUnsafeBytes { APIKey.hash(bytes: $0) }
        #expect(fromBytes == APIKey.hash(text))
        #expect(APIKey.sha256(UnsafeRawBufferPointer(start: nil, count: 0)).count == 32)
    }

    /// RFC 4648 section 10 vectors, in the URL-safe alphabet without padding.
    @Test(arguments: [
        ("", ""), ("f", "Zg"), ("fo", "Zm8"), ("foo", "Zm9v"), ("foob", "Zm9vYg"), ("fooba", "Zm9vYmE"),
        ("foobar", "Zm9vYmFy"),
    ])
    func base64URLMatchesRFC4648(input: String, encoded: String) {
        #expect(APIKey.base64URL(Array(input.utf8)) == encoded)
    }

    @Test func base64URLUsesTheURLSafeCharacters() {
        #expect(APIKey.base64URL([0xFB, 0xFF, 0xBF]) == "-_-_")
    }

    @Test func hexIsLowercase() {
        #expect(APIKey.hex([0x00, 0x0F, 0xA0, 0xFF]) == "000fa0ff")
    }
}
