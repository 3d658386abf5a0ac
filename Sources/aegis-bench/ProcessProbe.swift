import Glibc

/// Reads another process's CPU time and memory from /proc, as `ps` and `top` do.
struct ProcessProbe {
    struct Memory {
        /// Resident set size now (VmRSS).
        var residentKiB: Int
        /// The most it has ever been (VmHWM).
        var peakKiB: Int
    }

    let pid: Int32
    private let ticksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))

    /// - Throws: ``BenchError`` when there is no such process to read.
    init(pid: Int32) throws(BenchError) {
        self.pid = pid
        guard cpuSeconds() != nil else { throw BenchError("no process \(pid) to measure (/proc/\(pid)/stat)") }
    }

    /// User plus system CPU time of every thread so far (fields 14 and 15 of /proc/PID/stat), in
    /// seconds; the kernel counts in clock ticks, so it moves in steps of 10 ms.
    func cpuSeconds() -> Double? {
        guard let text = readText("/proc/\(pid)/stat"), let close = text.lastIndex(of: ")") else { return nil }
        // The command name may hold spaces and parentheses; fields after it are plain numbers.
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 12, let user = UInt64(fields[11]), let system = UInt64(fields[12]) else { return nil }
        return Double(user + system) / ticksPerSecond
    }

    func memory() -> Memory? {
        guard let text = readText("/proc/\(pid)/status") else { return nil }
        var resident: Int?
        var peak: Int?
        for line in text.split(separator: "\n") {
            if line.hasPrefix("VmRSS:") { resident = Self.kibibytes(line) }
            if line.hasPrefix("VmHWM:") { peak = Self.kibibytes(line) }
        }
        guard let resident, let peak else { return nil }
        return Memory(residentKiB: resident, peakKiB: peak)
    }

    /// `VmRSS:     12345 kB` → 12345.
    private static func kibibytes(_ line: Substring) -> Int? {
        line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first.flatMap { Int($0) }
    }
}

/// The whole of a small file as text, or nil when it cannot be read.
func readText(_ path: String) -> String? {
    readBytes(path, limit: 1 << 20).map { String(decoding: $0, as: UTF8.self) }
}

/// The whole of a file, or nil when it cannot be opened or is larger than `limit`.
func readBytes(_ path: String, limit: Int) -> [UInt8]? {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 64 << 10)
    while true {
        let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if count < 0 && errno == EINTR { continue }
        guard count >= 0 else { return nil }
        if count == 0 { return bytes }
        bytes.append(contentsOf: chunk[0..<count])
        guard bytes.count <= limit else { return nil }
    }
}
