import AegisCore

/// Renders results as text for people or as one JSON object for scripts.
enum Report {
    private static let percentiles: [(label: String, key: String, fraction: Double)] = [
        ("p50", "p50", 0.5), ("p90", "p90", 0.9), ("p99", "p99", 0.99), ("p99.9", "p999", 0.999),
    ]

    static func text(_ result: LoadGenerator.Result, options: BenchOptions, keyCount: Int) -> String {
        var lines = [
            "aegis-bench: \(options.connections) connections x \(options.pipeline) in flight over \(keyCount) keys; "
                + "measured \(fixed(result.seconds, 2)) s after \(fixed(options.warmupSeconds, 1)) s of warm-up",
            "  checks/s   \(grouped(rate(result))) (\(grouped(Double(result.checks))) checks)",
        ]
        var latency = percentiles.map { "\($0.label) \(duration(result.latency.percentile($0.fraction)))" }
        latency += ["max \(duration(result.latency.maximum))", "mean \(duration(UInt64(result.latency.mean)))"]
        lines.append("  latency    " + latency.joined(separator: "   "))
        let total = Double(max(result.reasons.total, 1))
        let shares = result.reasons.counts.map { "\($0.reason) \(fixed(Double($0.count) * 100 / total, 1))%" }
        lines.append("  reasons    " + (shares.isEmpty ? "none" : shares.joined(separator: "   ")))
        if let pid = options.pid {
            var parts: [String] = []
            if let perCheck = cpuPerCheckMicros(result) { parts.append("\(fixed(perCheck, 2)) µs CPU per check") }
            if let memory = result.memoryAtEnd {
                parts.append("peak RSS \(mebibytes(memory.peakKiB))")
                parts.append("RSS \(mebibytes(memory.residentKiB))")
            }
            if let start = result.memoryAtStart, let largest = result.largestResidentKiB {
                parts.append(
                    "(\(mebibytes(start.residentKiB)) at start, at most \(mebibytes(largest)) while measuring)")
            }
            lines.append("  aegisd     pid \(pid): " + parts.joined(separator: "   "))
        }
        return lines.joined(separator: "\n")
    }

    static func json(_ result: LoadGenerator.Result, options: BenchOptions, keyCount: Int) -> String {
        var out: [UInt8] = []
        func field(_ name: StaticString, _ value: String) {
            if out.last != UInt8(ascii: "{") { out.append(UInt8(ascii: ",")) }
            out.append(UInt8(ascii: "\""))
            JSONWriter.appendRaw(name, to: &out)
            out += Array("\":\(value)".utf8)
        }
        out.append(UInt8(ascii: "{"))
        field("connections", "\(options.connections)")
        field("pipeline", "\(options.pipeline)")
        field("keys", "\(keyCount)")
        field("warmup_seconds", fixed(options.warmupSeconds, 3))
        field("seconds", fixed(result.seconds, 4))
        field("checks", "\(result.checks)")
        field("checks_per_second", fixed(rate(result), 1))
        var latency = percentiles.map { "\"\($0.key)\":\(micros(result.latency.percentile($0.fraction)))" }
        latency += ["\"max\":\(micros(result.latency.maximum))", "\"mean\":\(fixed(result.latency.mean / 1000, 1))"]
        field("latency_us", "{" + latency.joined(separator: ",") + "}")
        field("reasons", object(result.reasons.counts.map { ($0.reason, "\($0.count)") }))
        let total = Double(max(result.reasons.total, 1))
        field("reason_share", object(result.reasons.counts.map { ($0.reason, fixed(Double($0.count) / total, 6)) }))
        if let pid = options.pid {
            var daemon = [("pid", "\(pid)")]
            daemon.append(("cpu_seconds", result.cpuSeconds.map { fixed($0, 3) } ?? "null"))
            daemon.append(("cpu_us_per_check", cpuPerCheckMicros(result).map { fixed($0, 3) } ?? "null"))
            daemon.append(("rss_kib", result.memoryAtEnd.map { "\($0.residentKiB)" } ?? "null"))
            daemon.append(("peak_rss_kib", result.memoryAtEnd.map { "\($0.peakKiB)" } ?? "null"))
            daemon.append(("rss_start_kib", result.memoryAtStart.map { "\($0.residentKiB)" } ?? "null"))
            daemon.append(("rss_max_kib", result.largestResidentKiB.map { "\($0)" } ?? "null"))
            field("aegisd", object(daemon))
        } else {
            field("aegisd", "null")
        }
        out.append(UInt8(ascii: "}"))
        return String(decoding: out, as: UTF8.self)
    }

    static func text(_ result: ColdStart.Result) -> String {
        """
        cold start: \(fixed(result.answeredMs, 1)) ms from exec to the first answered check (\(result.answeredReason))
          socket accepting after \(fixed(result.socketMs, 1)) ms; first reply after \
        \(fixed(result.firstReplyMs, 1)) ms (\(result.firstReason))
        """
    }

    static func json(_ result: ColdStart.Result) -> String {
        object([
            ("cold_start_ms", fixed(result.answeredMs, 2)), ("reason", quoted(result.answeredReason)),
            ("socket_ms", fixed(result.socketMs, 2)), ("first_reply_ms", fixed(result.firstReplyMs, 2)),
            ("first_reason", quoted(result.firstReason)),
        ])
    }

    private static func rate(_ result: LoadGenerator.Result) -> Double {
        result.seconds > 0 ? Double(result.checks) / result.seconds : 0
    }

    private static func cpuPerCheckMicros(_ result: LoadGenerator.Result) -> Double? {
        guard let cpu = result.cpuSeconds, result.checks > 0 else { return nil }
        return cpu * 1e6 / Double(result.checks)
    }

    private static func object(_ fields: [(String, String)]) -> String {
        "{" + fields.map { "\(quoted($0.0)):\($0.1)" }.joined(separator: ",") + "}"
    }

    private static func quoted(_ text: String) -> String {
        var out: [UInt8] = []
        JSONWriter.appendString(text, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Nanoseconds as µs below 10 ms, else as ms.
    private static func duration(_ nanoseconds: UInt64) -> String {
        nanoseconds < 10_000_000
            ? "\(fixed(Double(nanoseconds) / 1e3, 0)) µs" : "\(fixed(Double(nanoseconds) / 1e6, 2)) ms"
    }

    private static func micros(_ nanoseconds: UInt64) -> String {
        fixed(Double(nanoseconds) / 1e3, 1)
    }

    private static func mebibytes(_ kibibytes: Int) -> String {
        "\(fixed(Double(kibibytes) / 1024, 1)) MiB"
    }

    /// `value` rounded to `decimals` places, without Foundation's formatter.
    static func fixed(_ value: Double, _ decimals: Int) -> String {
        guard value.isFinite else { return "0" }
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let scaled = Int64((abs(value) * scale).rounded())
        let sign = value < 0 && scaled != 0 ? "-" : ""
        let whole = scaled / Int64(scale)
        guard decimals > 0 else { return sign + "\(whole)" }
        let fraction = String(scaled % Int64(scale))
        return sign + "\(whole)." + String(repeating: "0", count: decimals - fraction.count) + fraction
    }

    /// A whole number with thousands separated: 52,341.
    private static func grouped(_ value: Double) -> String {
        let digits = Array(String(Int64(value.rounded())))
        var out = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { out.append(",") }
            out.append(digit)
        }
        return out
    }
}
