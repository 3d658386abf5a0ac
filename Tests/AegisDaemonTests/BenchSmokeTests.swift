import Foundation
import Testing

/// Proves the benchmark tooling still works: `aegis-bench` against a real daemon, and
/// `deploy/bench --short` end to end. No figure is held to a floor here; they are only checked to
/// be consistent, since timing on a shared test machine proves nothing.
@Suite struct BenchSmokeTests {
    @Test func aegisBenchReportsConsistentFigures() throws {
        let store = try database()
        let generous = try store.tenant(burst: 1_000_000, rpm: 10_000_000)
        let tight = try store.tenant(burst: 2, rpm: 60)
        let daemon = try DaemonProcess(databaseURL: store.url)
        let keys = TestEnvironment.temporaryDirectory() + "/keys.txt"
        try "\(generous.key)\n\(tight.key)\n".write(toFile: keys, atomically: true, encoding: .utf8)

        let result = try runCommand(
            TestEnvironment.binary("aegis-bench"),
            [
                "--socket", daemon.socketPath, "--keys", keys, "--connections", "4", "--pipeline", "4",
                "--duration", "0.5", "--warmup", "0.1", "--pid", String(daemon.pid), "--json",
            ])
        #expect(result.status == 0, "aegis-bench failed: \(result.stderr)\n\(daemon.log)")
        let report = try #require(
            try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any],
            "not a JSON object: \(result.stdout)")

        let checks = try #require(report["checks"] as? Int)
        #expect(checks > 0)
        #expect((report["checks_per_second"] as? Double ?? 0) > 0)
        let reasons = try #require(report["reasons"] as? [String: Int])
        #expect(reasons.values.reduce(0, +) == checks, "reasons \(reasons) do not add up to \(checks)")
        #expect(reasons["ok"] ?? 0 > 0, "the generous tenant's checks pass: \(reasons)")
        #expect(reasons["burst_exceeded"] ?? 0 > 0, "the tight tenant's checks are denied: \(reasons)")
        #expect(Set(reasons.keys).isSubset(of: ["ok", "burst_exceeded", "rate_exceeded"]), "\(reasons)")
        let shares = try #require(report["reason_share"] as? [String: Double])
        #expect(abs(shares.values.reduce(0, +) - 1) < 0.001)

        let latency = try #require(report["latency_us"] as? [String: Double])
        let ordered = ["p50", "p90", "p99", "p999", "max"].compactMap { latency[$0] }
        #expect(ordered.count == 5 && ordered.first! > 0 && ordered == ordered.sorted(), "\(latency)")

        let process = try #require(report["aegisd"] as? [String: Any])
        #expect(process["pid"] as? Int == Int(daemon.pid))
        #expect((process["cpu_seconds"] as? Double ?? -1) >= 0)
        let resident = try #require(process["rss_kib"] as? Int)
        let peak = try #require(process["peak_rss_kib"] as? Int)
        #expect(resident > 1024 && peak >= resident, "rss \(resident) KiB, peak \(peak) KiB")
    }

    @Test func aegisBenchRejectsBadFlagsClearly() throws {
        let bench = TestEnvironment.binary("aegis-bench")
        let cases: [([String], String)] = [
            (
                ["--socket", "/tmp/x.sock", "--keys", "k", "--connections", "0"],
                "--connections must be between 1 and 1024"
            ),
            (["--socket", "/tmp/x.sock", "--keys", "k", "--count", "5", "--duration", "1"], "not both"),
            (["--socket", "/tmp/x.sock", "--keys", "k", "--warmup", "soon"], "--warmup must be a number of seconds"),
            (["--socket", "/tmp/x.sock", "--cold-start", "--keys", "k"], "needs the daemon's command line"),
            (["--keys", "k", "--frobnicate"], "unknown option --frobnicate"),
        ]
        for (arguments, message) in cases {
            let result = try runCommand(bench, arguments, environment: ["AEGIS_SOCKET": ""])
            #expect(result.status == 2, "\(arguments): exit \(result.status)")
            #expect(result.stderr.contains(message), "\(arguments): \(result.stderr)")
        }
        let missing = try runCommand(bench, ["--socket", "/tmp/x.sock", "--keys", "/nonexistent/keys"])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("cannot read the keys file /nonexistent/keys"), "\(missing.stderr)")
    }

    /// The whole side-by-side script in its short mode, on the release build deploy/test made: its
    /// own Redis, PostgreSQL, aegisd and nginx, every run, and the summary. About 30 s. Every run
    /// needs checks that pass, so this is also where a release-only miscompile shows.
    @Test(.timeLimit(.minutes(3))) func benchScriptShortModeRunsEverything() throws {
        let results = TestEnvironment.temporaryDirectory() + "/results"
        let script = repositoryRoot.appendingPathComponent("deploy/bench").path
        let release = TestEnvironment.required("AEGIS_TEST_RELEASE_BIN_DIR")
        let run = try runCommand(script, ["--short", "--bin-dir", release, "--results", results])
        #expect(run.status == 0, "deploy/bench --short failed:\n\(run.stdout)\n\(run.stderr)")
        for heading in ["(a) ceiling", "(b) aegisd over its socket", "(c) HTTP through nginx", "(d) cold start"] {
            #expect(run.stdout.contains(heading), "the summary lacks \(heading):\n\(run.stdout)")
        }
        #expect(run.stdout.contains("ratios and floors"))

        let data = try Data(contentsOf: URL(fileURLWithPath: results + "/summary.json"))
        let summary = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let ceiling = try #require(summary["ceiling"] as? [String: [String: Double]])
        #expect((ceiling["unpipelined"]?["calls_per_second"] ?? 0) > 0)
        #expect((ceiling["pipelined"]?["calls_per_second"] ?? 0) > 0)
        let socket = try #require(summary["socket"] as? [String: [String: Any]])
        for run in ["p1", "p16"] {
            #expect((socket[run]?["checks"] as? Int ?? 0) > 0, "socket run \(run): \(socket[run] ?? [:])")
        }
        let http = try #require(summary["http"] as? [String: [String: Any]])
        #expect((http["nginx_alone"]?["requests_per_second"] as? Double ?? 0) > 0)
        #expect((http["nginx_aegis"]?["requests_per_second"] as? Double ?? 0) > 0)
        let cold = try #require(summary["cold_start_ms"] as? [Double])
        #expect(cold.count == 1 && cold[0] > 0)
    }
}
