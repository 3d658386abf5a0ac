import AegisCore
import AegisStore
import Foundation
import Testing

@testable import AegisDaemon

@Suite struct SpoolTests {
    private func record(_ index: Int, path: String? = "/p") -> LogRecord {
        LogRecord(
            id: UUIDv7(milliseconds: Int64(index), randA: 0, randB: UInt64(index)).description, at: Int64(index),
            tenantID: index % 2 == 0 ? "t" : nil, keyID: nil, reason: index % 3 == 0 ? .ok : .rateExceeded,
            status: index % 3 == 0 ? 200 : 429, method: "GET", path: path, clientIP: "::1", cost: 1,
            quotaMonth: 202612, quotaUsed: Int64(index))
    }

    @Test func recordsSurviveTheLineFormat() {
        let tricky = record(1, path: "/a\tb\nc\\d\re ü")
        var bytes: [UInt8] = []
        SpoolRecord.append(tricky, to: &bytes)
        #expect(bytes.last == 0x0A)
        #expect(bytes.dropLast().contains(0x0A) == false)
        #expect(SpoolRecord.parse(bytes.dropLast()) == tricky)
        #expect(SpoolRecord.parse(ArraySlice("2\tnot\ta\trecord".utf8)) == nil)
    }

    @Test func readerResumesFromItsCheckpointAndSkipsATornLine() throws {
        let location = SpoolLocation(directory: TestEnvironment.temporaryDirectory() + "/spool")
        let lock = try location.lock()
        defer { close(lock) }
        let log = Log(level: .error)
        do {
            let writer = try SpoolWriter(location: location, log: log)
            for index in 0..<10 { writer.append(record(index)) }
            writer.flush()
        }
        // A crash mid-write leaves half a line at the end of the old segment.
        let torn = location.segmentPath(location.segments().last!)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: torn))
        handle.seekToEndOfFile()
        handle.write(Data("1\thalf".utf8))
        try handle.close()

        var reader = SpoolReader(location: location)
        let first = reader.next(limit: 4)
        #expect(first.records.map(\.at) == [0, 1, 2, 3])
        reader.commit()

        let writer = try SpoolWriter(location: location, log: log)
        for index in 10..<12 { writer.append(record(index)) }
        writer.flush()

        var resumed = SpoolReader(location: location)
        let rest = resumed.next(limit: 100)
        #expect(rest.records.map(\.at) == Array(4..<12).map(Int64.init))
        #expect(rest.skipped == 1)
        resumed.commit()
        #expect(location.segments().count == 1)
        var fresh = SpoolReader(location: location)
        #expect(fresh.next(limit: 100).records.isEmpty)
    }

    @Test func aSecondDaemonCannotShareTheSpool() throws {
        let location = SpoolLocation(directory: TestEnvironment.temporaryDirectory() + "/spool")
        let lock = try location.lock()
        defer { close(lock) }
        #expect(throws: SystemError.self) { try location.lock() }
    }
}
