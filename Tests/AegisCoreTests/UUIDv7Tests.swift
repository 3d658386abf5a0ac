import AegisCore
import AegisTestSupport
import Foundation
import Testing

@Suite struct UUIDv7Tests {
    @Test func versionAndVariantBitsAreSet() {
        for _ in 0..<1000 {
            let id = UUIDv7.next()
            #expect(id.version == 7)
            #expect(id.variant == 0b10)
            let text = id.description
            let characters = Array(text)
            #expect(characters[14] == "7")
            #expect("89ab".contains(characters[19]))
        }
    }

    @Test func partsLandInTheirFields() {
        let id = UUIDv7(milliseconds: 0x0123_4567_89AB, randA: 0xFFFF, randB: .max)
        #expect(id.description == "01234567-89ab-7fff-bfff-ffffffffffff")
        #expect(id.milliseconds == 0x0123_4567_89AB)

        let zero = UUIDv7(milliseconds: 0, randA: 0, randB: 0)
        #expect(zero.description == "00000000-0000-7000-8000-000000000000")
        #expect(zero.bytes == [0, 0, 0, 0, 0, 0, 0x70, 0, 0x80, 0, 0, 0, 0, 0, 0, 0])
    }

    @Test func timestampIsTheCurrentTime() {
        let before = Int64(Date().timeIntervalSince1970 * 1000)
        let id = UUIDv7.next()
        let after = Int64(Date().timeIntervalSince1970 * 1000)
        // The counter may borrow a millisecond or two when many ids are made within one.
        #expect(id.milliseconds >= before)
        #expect(id.milliseconds <= after + 2)
    }

    @Test func successiveIDsAreStrictlyIncreasingAsValuesAndText() {
        let ids = (0..<20_000).map { _ in UUIDv7.next() }
        for (earlier, later) in zip(ids, ids.dropFirst()) {
            #expect(earlier < later)
            #expect(earlier.description < later.description)
        }
        #expect(Set(ids).count == ids.count)
    }

    @Test func idsFromManyThreadsAreDistinct() async {
        let batches = await withTaskGroup(of: [UUIDv7].self) { group in
            for _ in 0..<4 {
                group.addTask { (0..<2_000).map { _ in UUIDv7.next() } }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        let all = batches.flatMap { $0 }
        #expect(Set(all).count == 8_000)
        for batch in batches {
            #expect(batch == batch.sorted())
        }
    }

    @Test func textRoundTrips() {
        let id = UUIDv7.next()
        #expect(UUIDv7(id.description) == id)
        #expect(UUIDv7(id.description.uppercased()) == id)
    }

    @Test(arguments: [
        "", "not-a-uuid", "01234567-89ab-4fff-bfff-ffffffffffff", "01234567-89ab-7fff-cfff-ffffffffffff",
        "01234567-89ab-7fff-bfff-fffffffffff", "01234567-89ab-7fff-bfff-fffffffffffff",
        "0123456789ab-7fff-bfff-ffffffffffff-", "01234567-89ab-7fff-bfff-fffffffffffg",
    ])
    func rejectsOtherText(_ text: String) {
        #expect(UUIDv7(text) == nil)
    }
}

@Test func textMatchesFoundationsForRandomValues() {
    var random = SeededGenerator(seed: 0x0077_1D7E)
    for _ in 0..<1000 {
        let id = UUIDv7(
            milliseconds: Int64.random(in: .min ... .max, using: &random),
            randA: UInt16.random(in: 0...0xFFFF, using: &random), randB: random.next())
        let bytes = id.bytes
        let foundation = UUID(
            uuid: (
                bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7], bytes[8], bytes[9],
                bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]
            ))
        #expect(id.description == foundation.uuidString.lowercased())
        #expect(UUIDv7(id.description) == id)
    }
}

@Suite struct UUIDValueTests {
    @Test(arguments: [
        "0193a5a8-0000-7000-8000-000000000001", "6ba7b810-9dad-11d1-80b4-00c04fd430c8",
        "00000000-0000-0000-0000-000000000000", "ffffffff-ffff-ffff-ffff-ffffffffffff",
    ])
    func readsAnyVersionAndWritesItBackAsPostgreSQLDoes(text: String) throws {
        let value = try #require(UUIDValue(text))
        #expect(value.text == text)
        #expect(UUIDValue(text.uppercased()) == value)
    }

    @Test(arguments: [
        "", "0193a5a8-0000-7000-8000-00000000000", "0193a5a8-0000-7000-8000-0000000000012",
        "0193a5a8_0000-7000-8000-000000000001", "0193a5a8-0000-7000-8000-00000000000g", "k1",
    ])
    func refusesAnythingElse(text: String) {
        #expect(UUIDValue(text) == nil)
    }

    @Test func aVersion7UUIDIsTheSameValue() throws {
        let made = UUIDv7.next()
        #expect(made.value == UUIDValue(made.description))
        #expect(UUIDv7(made.value.text) == made)
    }
}
