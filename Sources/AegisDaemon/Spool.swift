import AegisStore
import Foundation
import Glibc

/// The local, append-only record of every decision, written before the reply leaves.
///
/// Decisions land in numbered segment files in one directory; the shipper ingests them into
/// PostgreSQL and keeps a checkpoint, so a decision survives PostgreSQL outages and a SIGKILL of
/// the daemon (the kernel keeps what `write` accepted). It does not survive the loss of the
/// machine's disk: the spool is not fsynced on every batch.
struct SpoolLocation: Sendable {
    let directory: String

    static let segmentLimit = 32 << 20

    func segmentPath(_ number: Int) -> String {
        directory + "/" + "segment-" + String(format: "%012d", number) + ".log"
    }

    var checkpointPath: String { directory + "/checkpoint" }

    /// Segment numbers present, oldest first.
    func segments() -> [Int] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.compactMap { name in
            guard name.hasPrefix("segment-"), name.hasSuffix(".log") else { return nil }
            return Int(name.dropFirst(8).dropLast(4))
        }.sorted()
    }

    /// Creates the directory and takes an exclusive lock on it for this process's lifetime.
    func lock() throws(SystemError) -> Int32 {
        if mkdir(directory, 0o750) != 0 && errno != EEXIST {
            throw SystemError("mkdir \(directory)")
        }
        let fd = open(directory + "/lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o640)
        guard fd >= 0 else { throw SystemError("open \(directory)/lock") }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            throw SystemError("another aegisd uses the spool \(directory); flock", errno: EWOULDBLOCK)
        }
        return fd
    }
}

/// The event loop's side of the spool: buffers the iteration's decisions and writes them in one call.
final class SpoolWriter {
    private let location: SpoolLocation
    private var fd: Int32 = -1
    private var number: Int
    private var size = 0
    private var pending: [UInt8] = []
    private let log: Log

    /// Opens a fresh segment after the newest existing one, so a torn line from a crash stays behind.
    init(location: SpoolLocation, log: Log) throws(SystemError) {
        self.location = location
        self.log = log
        number = (location.segments().last ?? 0) + 1
        try openSegment()
        pending.reserveCapacity(64 << 10)
    }

    deinit {
        if fd >= 0 { close(fd) }
    }

    func append(_ record: LogRecord) {
        record.appendCopyLine(to: &pending)
    }

    /// Appends the line `write` adds to the buffer it is given, such as
    /// `LogRecord.appendCopyLine(id:at:…)`'s.
    func appendLine(_ write: (inout [UInt8]) -> Void) {
        write(&pending)
    }

    var hasPending: Bool { !pending.isEmpty }

    /// Writes the buffered decisions; called once per loop iteration before replies go out.
    func flush() {
        guard !pending.isEmpty else { return }
        var offset = 0
        while offset < pending.count {
            let written = pending.withUnsafeBytes { raw in
                Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
            }
            if written < 0 {
                if errno == EINTR { continue }
                log.error(
                    "spool write failed; decisions since the last write are not recorded",
                    ["error": SystemError("write").description, "count": String(pending.count)])
                break
            }
            offset += written
        }
        size += offset
        pending.removeAll(keepingCapacity: true)
        if size >= SpoolLocation.segmentLimit {
            close(fd)
            number += 1
            try? openSegment()
        }
    }

    private func openSegment() throws(SystemError) {
        let path = location.segmentPath(number)
        fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o640)
        guard fd >= 0 else { throw SystemError("open \(path)") }
        size = 0
    }
}

/// The shipper's side of the spool: reads whole lines after the checkpoint.
struct SpoolReader {
    /// Complete lines ready to ship, and how many torn lines (left by a crash) were passed over.
    struct Batch {
        var lines: [UInt8] = []
        var count = 0
        var skipped = 0
    }

    private let location: SpoolLocation
    private(set) var number: Int
    private(set) var offset: Int
    /// Where the last `next` ended; `commit` makes it the checkpoint.
    private var pendingNumber: Int
    private var pendingOffset: Int
    private var chunk = [UInt8](repeating: 0, count: 4 << 20)
    private let checkpoint: CheckpointFile

    init(location: SpoolLocation) {
        self.location = location
        let saved =
            (try? String(contentsOfFile: location.checkpointPath, encoding: .utf8))?
            .split(separator: " ").compactMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) } ?? []
        let first = location.segments().first ?? 1
        if saved.count == 2, saved[0] >= first {
            number = saved[0]
            offset = saved[1]
        } else {
            number = first
            offset = 0
        }
        pendingNumber = number
        pendingOffset = offset
        checkpoint = CheckpointFile(path: location.checkpointPath)
    }

    /// The complete lines after the checkpoint, up to about `maxBytes`.
    mutating func next(maxBytes: Int) -> Batch {
        var batch = Batch()
        pendingNumber = number
        pendingOffset = offset
        while batch.lines.count < maxBytes {
            // Asked before reading: once a newer segment exists the writer never touches this one again,
            // so reaching its end means it is finished.
            let later = location.segments().first { $0 > pendingNumber }
            let wanted = min(chunk.count, maxBytes - batch.lines.count)
            let read = readTail(pendingNumber, from: pendingOffset, max: wanted)
            let whole = read.lastIndex(of: 0x0A).map { $0 + 1 } ?? 0
            batch.lines.append(contentsOf: read[..<whole])
            batch.count += read[..<whole].count { $0 == 0x0A }
            pendingOffset += whole
            if read.count == wanted {
                // More may follow in this segment. A line longer than the rest of the budget waits for
                // the next batch (lines are bounded by the frame cap, far below the chunk).
                if whole == 0 { break }
                continue
            }
            guard let later else { break }
            if whole < read.count { batch.skipped += 1 }
            pendingNumber = later
            pendingOffset = 0
        }
        return batch
    }

    /// Records everything `next` returned as shipped, and deletes segments fully behind it.
    mutating func commit() {
        checkpoint.write(segment: pendingNumber, offset: pendingOffset)
        if pendingNumber != number {
            for old in location.segments() where old < pendingNumber {
                unlink(location.segmentPath(old))
            }
        }
        number = pendingNumber
        offset = pendingOffset
    }

    /// Up to `max` bytes of a segment from `start`, in a buffer reused between calls.
    private mutating func readTail(_ segment: Int, from start: Int, max: Int) -> ArraySlice<UInt8> {
        let fd = open(location.segmentPath(segment), O_RDONLY | O_CLOEXEC)
        guard fd >= 0, max > 0 else { return [] }
        defer { close(fd) }
        let count = chunk.withUnsafeMutableBytes { pread(fd, $0.baseAddress, max, off_t(start)) }
        return chunk[0..<Swift.max(count, 0)]
    }
}

/// The shipper's checkpoint, "<segment> <offset>", rewritten in place on one open descriptor:
/// a fixed-width line within one page is written whole, and a new file per batch is not.
private final class CheckpointFile {
    private let fd: Int32

    init(path: String) {
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o640)
    }

    deinit {
        if fd >= 0 { close(fd) }
    }

    func write(segment: Int, offset: Int) {
        let line = Array(String(format: "%012d %020d\n", segment, offset).utf8)
        _ = line.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
    }
}
