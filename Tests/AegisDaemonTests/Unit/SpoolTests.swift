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

    private func times(_ batch: SpoolReader.Batch) -> [Int64] {
        batch.lines.split(separator: 0x0A).compactMap { LogRecord(copyLine: $0)?.at }
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
        var firstFour: [UInt8] = []
        for index in 0..<4 { record(index).appendCopyLine(to: &firstFour) }
        let first = reader.next(maxBytes: firstFour.count)
        #expect(times(first) == [0, 1, 2, 3])
        #expect(first.count == 4)
        reader.commit()

        let writer = try SpoolWriter(location: location, log: log)
        for index in 10..<12 { writer.append(record(index)) }
        writer.flush()

        var resumed = SpoolReader(location: location)
        let rest = resumed.next(maxBytes: 1 << 20)
        #expect(times(rest) == Array(4..<12).map(Int64.init))
        #expect(rest.skipped == 1)
        resumed.commit()
        #expect(location.segments().count == 1)
        var fresh = SpoolReader(location: location)
        #expect(fresh.next(maxBytes: 1 << 20).count == 0)
    }

    @Test func aSecondDaemonCannotShareTheSpool() throws {
        let location = SpoolLocation(directory: TestEnvironment.temporaryDirectory() + "/spool")
        let lock = try location.lock()
        defer { close(lock) }
        #expect(throws: SystemError.self) { try location.lock() }
    }
}
