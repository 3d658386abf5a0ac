import Foundation
import Testing

/// One migrated database for the whole test run; every test makes its own plans, tenants and keys.
let sharedDatabase: Result<TestDatabase, Error> = Result { try TestDatabase() }

func database() throws -> TestDatabase {
    try sharedDatabase.get()
}

/// The repository root, found from this file's path.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()

/// Validates JSON documents against one of the schemas in proto-schema/ with Python's jsonschema.
func validate(_ documents: [[UInt8]], against schema: String) throws {
    let directory = TestEnvironment.temporaryDirectory()
    let list = "[" + documents.map { String(decoding: $0, as: UTF8.self) }.joined(separator: ",") + "]"
    try list.write(toFile: directory + "/documents.json", atomically: true, encoding: .utf8)
    let script = """
        import json, sys, jsonschema
        schema = json.load(open(sys.argv[1]))
        for document in json.load(open(sys.argv[2])):
            jsonschema.validate(document, schema, cls=jsonschema.Draft202012Validator)
        """
    let result = try runCommand(
        "/usr/bin/env",
        [
            "python3", "-c", script, repositoryRoot.appendingPathComponent("proto-schema/\(schema)").path,
            directory + "/documents.json",
        ])
    #expect(result.status == 0, "schema \(schema) rejected a reply: \(result.stderr)")
}

extension Dictionary where Key == String, Value == Any {
    var reason: String? { self["reason"] as? String }
    var status: Int? { self["status"] as? Int }
    var allow: Bool? { self["allow"] as? Bool }
    var headers: [String: String] { self["headers"] as? [String: String] ?? [:] }
    var body: [String: Any] { self["body"] as? [String: Any] ?? [:] }
}

/// Polls `condition` until it holds or `timeout` passes.
func eventually(timeout: Double = 10, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if try condition() { return true }
        usleep(50_000)
    }
    return try condition()
}
