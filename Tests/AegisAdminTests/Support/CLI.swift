import AegisAdmin
import AegisTestSupport
import Foundation
import Testing

/// Runs `aegis` in-process against one environment and captures what it prints.
struct CLI {
    var environment: [String: String]

    init(databaseURL: String? = nil) {
        environment = databaseURL.map { ["DATABASE_URL": $0] } ?? [:]
    }

    struct Outcome {
        var status: Int32
        var out: String
        var err: String

        /// The output lines without the final newline.
        var lines: [String] { out.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init) }
    }

    func run(_ words: [String]) -> Outcome {
        var out = ""
        var err = ""
        let status = AdminCommandLine.run(words, environment: environment, stdout: &out, stderr: &err)
        return Outcome(status: status, out: out, err: err)
    }

    func run(_ words: String...) -> Outcome {
        run(words)
    }

    /// Runs with `--json` appended and returns the object printed.
    func object(_ words: String..., sourceLocation: SourceLocation = #_sourceLocation) throws -> [String: Any] {
        let value = try run(words + ["--json"]).jsonValue()
        return try #require(value as? [String: Any], sourceLocation: sourceLocation)
    }

    /// Runs with `--json` appended and returns the array printed.
    func array(_ words: String..., sourceLocation: SourceLocation = #_sourceLocation) throws -> [[String: Any]] {
        let value = try run(words + ["--json"]).jsonValue()
        return try #require(value as? [[String: Any]], sourceLocation: sourceLocation)
    }
}

extension CLI.Outcome {
    /// The single line of JSON a successful command printed.
    func jsonValue() throws -> Any {
        guard status == 0, err.isEmpty else { throw SetupError("aegis failed with status \(status): \(err)") }
        guard lines.count == 1 else { throw SetupError("expected one line of JSON, got \(lines.count)") }
        return try JSONSerialization.jsonObject(with: Data(out.utf8))
    }
}
