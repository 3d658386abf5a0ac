import Foundation
import Testing

/// The files under `deploy/` that cannot run here (no Docker engine, no cluster, no Envoy) are at
/// least parsed, and the nginx configuration is rendered for test paths and passed to `nginx -t`.
///
/// Needs `python3` with PyYAML and `AEGIS_TEST_NGINX`, both provided by `deploy/test`; without
/// them these tests fail rather than skip.
@Suite struct DeployConfigTests {
    private static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test func everyYAMLAndJSONFileParses() async throws {
        let files = try Self.filesUnderDeploy(withExtensions: ["yaml", "yml", "json"]) + [".swift-format"]
        for expected in [
            "deploy/envoy/envoy.yaml", "deploy/traefik/dynamic.yaml", "deploy/container/compose.yaml",
            "deploy/kubernetes/aegis.yaml",
        ] {
            #expect(files.contains(expected), "\(expected) is missing")
        }

        let documents = try await Self.parse(files)
        #expect(documents.count == files.count)
        for file in files {
            let parsed = try #require(documents[file] as? [Any], "\(file) did not parse")
            #expect(!parsed.isEmpty, "\(file) holds no document")
        }
    }

    @Test func envoyAsksTheBridgeOverThePipeAndFailsClosed() async throws {
        let envoy = try await Self.document("deploy/envoy/envoy.yaml")
        let manager = ["static_resources", "listeners", 0, "filter_chains", 0, "filters", 0, "typed_config"] as [Any]
        let authz = try #require(Self.dig(envoy, manager + ["http_filters", 0, "typed_config"]) as? [String: Any])

        #expect(authz["failure_mode_allow"] as? Bool == false)
        #expect(Self.dig(authz, ["status_on_error", "code"]) as? String == "ServiceUnavailable")
        #expect(Self.dig(authz, ["http_service", "server_uri", "timeout"]) as? String == "0.2s")
        #expect(Self.dig(authz, ["http_service", "path_prefix"]) as? String == "/envoy")
        let upstreamHeaders = Self.dig(authz, ["http_service", "authorization_response", "allowed_upstream_headers"])
        #expect(String(describing: upstreamHeaders).contains("x-aegis-tenant"))

        let cluster =
            ["static_resources", "clusters", 0, "load_assignment", "endpoints", 0, "lb_endpoints", 0] as [Any]
        let pipe = Self.dig(envoy, cluster + ["endpoint", "address", "pipe", "path"])
        #expect(pipe as? String == "/run/aegis/http.sock")
    }

    @Test func kubernetesSidecarSharesTheSocketAndIsProbedWithAegisHealth() async throws {
        let documents = try await Self.documents("deploy/kubernetes/aegis.yaml")
        let deployment = try #require(documents.first { Self.dig($0, ["kind"]) as? String == "Deployment" })
        let pod = try #require(Self.dig(deployment, ["spec", "template", "spec"]) as? [String: Any])
        let containers = try #require(pod["containers"] as? [[String: Any]])
        let aegisd = try #require(containers.first { $0["name"] as? String == "aegisd" })
        let proxy = try #require(containers.first { $0["name"] as? String == "proxy" })

        for probe in ["readinessProbe", "livenessProbe"] {
            let command = Self.dig(aegisd, [probe, "exec", "command"]) as? [String]
            #expect(command == ["aegis", "health", "--socket", "/run/aegis/aegis.sock"], "\(probe)")
        }
        for container in containers {
            #expect(Self.dig(container, ["resources", "requests", "memory"]) != nil, "\(container["name"] ?? "")")
            #expect(Self.dig(container, ["resources", "limits", "memory"]) != nil, "\(container["name"] ?? "")")
        }

        let volumes = try #require(pod["volumes"] as? [[String: Any]])
        let shared = try #require(volumes.first { $0["name"] as? String == "aegis-run" })
        #expect(shared["emptyDir"] != nil)
        for container in [aegisd, proxy] {
            let mounts = String(describing: container["volumeMounts"] ?? "")
            #expect(mounts.contains("aegis-run") && mounts.contains("/run/aegis"), "\(container["name"] ?? "")")
        }
    }

    @Test func composeRunsTheFourServicesAndRendersTheNginxTemplate() async throws {
        let compose = try await Self.document("deploy/container/compose.yaml")
        let services = try #require(Self.dig(compose, ["services"]) as? [String: Any])
        for name in ["redis", "postgres", "aegisd", "nginx"] {
            #expect(services[name] != nil, "no \(name) service")
        }
        let aegisdVolumes = String(describing: Self.dig(services, ["aegisd", "volumes"]) ?? "")
        let nginxVolumes = String(describing: Self.dig(services, ["nginx", "volumes"]) ?? "")
        #expect(aegisdVolumes.contains("aegis-run:/run/aegis") && nginxVolumes.contains("aegis-run:/run/aegis"))

        // The nginx service fills in the template with sed; every placeholder must be covered.
        let command = try #require(Self.dig(services, ["nginx", "command"]) as? [String]).joined(separator: " ")
        var rendered = try String(
            contentsOf: Self.root.appendingPathComponent("deploy/nginx/aegis.conf.in"), encoding: .utf8)
        let substitutions = try Regex(#"s\|([^|]*)\|([^|]*)\|"#)
        for match in command.matches(of: substitutions) {
            let from = try #require(match.output[1].substring)
            let to = try #require(match.output[2].substring)
            rendered = rendered.replacingOccurrences(of: String(from), with: String(to))
        }
        #expect(rendered.firstMatch(of: try Regex("@[A-Z_]+@")) == nil)
    }

    @Test func renderedNginxConfigPassesNginxTest() async throws {
        let nginx = try #require(
            ProcessInfo.processInfo.environment["AEGIS_TEST_NGINX"],
            "AEGIS_TEST_NGINX is not set: run the tests with deploy/test, which installs nginx and sets it")
        let prefix = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: prefix) }

        let paths = ["--prefix", prefix, "--socket", prefix + "/http.sock"]
        let addresses = ["--upstream", "127.0.0.1:1", "--listen", "127.0.0.1:2"]
        let render = try await Self.run(Self.root.appendingPathComponent("deploy/nginx/render").path, paths + addresses)
        #expect(render.status == 0, "\(render.errors)")
        let site = try String(contentsOfFile: prefix + "/aegis.conf", encoding: .utf8)
        #expect(site.contains("server unix:\(prefix)/http.sock;"))
        #expect(site.firstMatch(of: try Regex("@[A-Z_]+@")) == nil)

        let test = try await Self.run(nginx, ["-t", "-p", prefix, "-c", prefix + "/nginx.conf"])
        #expect(test.status == 0, "nginx -t: \(test.errors)")
        #expect(test.errors.contains("test is successful"))
    }

    @Test(arguments: [
        ["--listen", "80; evil"], ["--socket", "/run/a b.sock"], ["--upstream", "$host"], ["--prefix"],
    ])
    func renderRejectsValuesThatWouldBreakTheConfig(arguments: [String]) async throws {
        let prefix = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: prefix) }
        let render = Self.root.appendingPathComponent("deploy/nginx/render").path

        let result = try await Self.run(render, ["--prefix", prefix] + arguments)
        #expect(result.status == 2)
        #expect(result.errors.hasPrefix("render: "))
        #expect(!FileManager.default.fileExists(atPath: prefix + "/aegis.conf"))
    }

    @Test func containerRunsOnSlimDebianWithOnlyTheCLibraries() throws {
        let file = try String(
            contentsOf: Self.root.appendingPathComponent("deploy/container/Containerfile"), encoding: .utf8)
        let runtime = try #require(file.components(separatedBy: "FROM ${RUNTIME_IMAGE}").last)
        #expect(file.contains("ARG RUNTIME_IMAGE=debian:bookworm-slim"))
        #expect(runtime.contains("apt-get install -y --no-install-recommends libhiredis0.14 libpq5 libssl3 \\\n"))
        #expect(file.contains(#"cp -R "$bin"/*.resources /out/"#))
        #expect(runtime.contains("USER aegis"))
    }

    @Test func systemdUnitRunsUnprivilegedWithItsOwnDirectories() throws {
        let unit = try String(
            contentsOf: Self.root.appendingPathComponent("deploy/systemd/aegisd.service"), encoding: .utf8)
        let settings = Set(unit.split(separator: "\n").map(String.init))
        for line in [
            "User=aegis", "Group=aegis", "RuntimeDirectory=aegis", "StateDirectory=aegis aegis/spool", "UMask=0007",
            "NoNewPrivileges=yes", "ProtectSystem=strict", "CapabilityBoundingSet=",
        ] {
            #expect(settings.contains(line), "\(line) is missing")
        }
        #expect(unit.contains("--socket /run/aegis/aegis.sock"))
        #expect(unit.contains("--spool-dir /var/lib/aegis/spool"))
    }

    @Test func ciRunsTheTestCommand() throws {
        let script = try String(contentsOf: Self.root.appendingPathComponent(".ci/run"), encoding: .utf8)
        let commands = script.split(separator: "\n").filter { !$0.hasPrefix("#") && !$0.isEmpty }
        #expect(commands.last == "exec deploy/test")
    }
}

extension DeployConfigTests {
    /// What a finished helper process left behind.
    struct ProcessResult {
        var status: Int32
        var output: String
        var errors: String
    }

    /// Runs a program without blocking a thread of the concurrency pool while it runs.
    static func run(_ executable: String, _ arguments: [String]) async throws -> ProcessResult {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let outputPath = directory + "/stdout"
        let errorPath = directory + "/stderr"
        _ = FileManager.default.createFile(atPath: outputPath, contents: nil)
        _ = FileManager.default.createFile(atPath: errorPath, contents: nil)
        let output = try FileHandle(forWritingTo: URL(fileURLWithPath: outputPath))
        let errors = try FileHandle(forWritingTo: URL(fileURLWithPath: errorPath))
        defer {
            try? output.close()
            try? errors.close()
        }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = output
        process.standardError = errors
        let status = try await withCheckedThrowingContinuation {
            (continuation: CheckedContinuation<Int32, any Error>) in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
        withExtendedLifetime(process) {}
        return ProcessResult(
            status: status, output: try String(contentsOfFile: outputPath, encoding: .utf8),
            errors: try String(contentsOfFile: errorPath, encoding: .utf8))
    }

    /// Parses YAML (every document in a file) and JSON files with PyYAML, keyed by path.
    static func parse(_ files: [String]) async throws -> [String: Any] {
        let script = """
            import json, sys, yaml
            out = {}
            for path in sys.argv[1:]:
                with open(path) as f:
                    out[path] = list(yaml.safe_load_all(f)) if path.endswith(('.yaml', '.yml')) else [json.load(f)]
            json.dump(out, sys.stdout, default=str)
            """
        let paths = files.map { root.appendingPathComponent($0).path }
        let result = try await run("/usr/bin/env", ["python3", "-c", script] + paths)
        try #require(result.status == 0, "python3 with PyYAML could not parse the files: \(result.errors)")
        let parsed = try #require(
            JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any], "no JSON from python3")
        return Dictionary(uniqueKeysWithValues: zip(files, paths).map { ($0, parsed[$1] as Any) })
    }

    static func documents(_ file: String) async throws -> [Any] {
        try #require(try await parse([file])[file] as? [Any], "\(file) did not parse")
    }

    static func document(_ file: String) async throws -> Any {
        try #require(try await documents(file).first, "\(file) holds no document")
    }

    /// Follows string keys and array indices into parsed JSON; `nil` when the path is absent.
    static func dig(_ value: Any?, _ path: [Any]) -> Any? {
        path.reduce(value) { current, step in
            switch step {
            case let key as String: (current as? [String: Any])?[key]
            case let index as Int: (current as? [Any]).flatMap { $0.indices.contains(index) ? $0[index] : nil }
            default: nil
            }
        }
    }

    static func filesUnderDeploy(withExtensions extensions: Set<String>) throws -> [String] {
        let deploy = root.appendingPathComponent("deploy")
        let enumerator = try #require(FileManager.default.enumerator(atPath: deploy.path))
        return enumerator.compactMap { $0 as? String }
            .filter { extensions.contains(URL(fileURLWithPath: $0).pathExtension) }
            .map { "deploy/" + $0 }
            .sorted()
    }

    static func temporaryDirectory() -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("aegis-deploy-\(UUID().uuidString)")
            .path
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}
