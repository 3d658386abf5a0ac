import Foundation
import Testing

@testable import AegisCore

/// Validates documents against the schemas in `proto-schema/` with Python's `jsonschema`, through
/// `proto-schema/validate.py` (the same command PROTOCOL.md gives for checking a capture).
enum SchemaValidator {
    static let schemaDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("proto-schema")

    /// The verdict for each document: `"ok"` or the validator's complaints.
    /// - Throws: When python3, jsonschema or the schema cannot be used; the test then fails.
    static func verdicts(_ documents: [[UInt8]], schema: String) throws -> [String] {
        let input = FileManager.default.temporaryDirectory.appendingPathComponent("aegis-schema-\(UUID()).ndjson")
        try Data(documents.flatMap { $0 + [0x0A] }).write(to: input)
        defer { try? FileManager.default.removeItem(at: input) }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "python3", schemaDirectory.appendingPathComponent("validate.py").path,
            schemaDirectory.appendingPathComponent(schema).path,
        ]
        process.standardInput = try FileHandle(forReadingFrom: input)
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let stdout = output.fileHandleForReading.readDataToEndOfFile()
        let stderr = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()

        let lines = String(decoding: stdout, as: UTF8.self).split(separator: "\n")
        guard process.terminationStatus <= 1, lines.count == documents.count else {
            throw ValidatorFailure(
                "validate.py exited \(process.terminationStatus): \(String(decoding: stderr, as: UTF8.self))")
        }
        return lines.map { line in String(line.drop { $0 != ":" }.dropFirst(2)) }
    }

    struct ValidatorFailure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }
}

private func reply(_ decision: Decision, id: String?) -> [UInt8] {
    var out: [UInt8] = []
    ReplyEncoder.appendCheckReply(decision, rawID: id.map { Array($0.utf8) }, to: &out)
    return out
}

private let ids: [String?] = [nil, "7", "-0", "1e3", "1.5E-7", #""req-1""#, #""é\u00e9😀""#, #""""#]

@Test func everyReplyMatchesTheReplySchema() throws {
    let plans = [
        Plan(burstRPS: 10, sustainedRPM: 600, monthlyQuota: 100_000, enforcement: .hard),
        Plan(burstRPS: 1, sustainedRPM: 1, monthlyQuota: 0, enforcement: .soft),
        Plan(burstRPS: .max, sustainedRPM: .max, monthlyQuota: .max, enforcement: .hard),
    ]
    var decisions = decisionForEveryReason
    for plan in plans {
        for reason in [Reason.ok, .quotaOverage, .burstExceeded, .rateExceeded, .quotaExceeded] {
            for month in [202402, 202302, 202504, 202512, 0] {
                let outcome = LimitOutcome(
                    reason: reason, burstRemaining: 0, burstResetMs: 999, rateRemaining: -1, rateResetMs: 60_000,
                    quotaUsed: 100_001, quotaResetMs: 1, retryAfterMs: 0, nowMs: 1_706_745_600_000, month: month)
                decisions.append(.limited(outcome, plan: plan, cost: CheckRequestDecoder.maxCost, tenantID: "t"))
            }
        }
    }
    decisions += [
        .denied(.badRequest, message: "invalid JSON: unexpected end of input at byte 0"),
        .denied(.unavailable, tenantID: "t"), .denied(.invalidKey, message: "quote \" and newline \n"),
    ]
    var documents = decisions.flatMap { decision in ids.map { reply(decision, id: $0) } }
    for error in [FrameError.zeroLength, .tooLarge(70_000, limit: 65536), .lineTooLong(limit: 65536)] {
        var out: [UInt8] = []
        ReplyEncoder.appendErrorReply(error, to: &out)
        documents.append(out)
    }
    for request in [#"{"id":"x","cost":0}"#, #"{"id":12,"type":"nope"}"#, #"{"id":3,"#] {
        guard case .failure(let error) = CheckRequestDecoder.decode(Array(request.utf8)) else {
            Issue.record("\(request) should be rejected")
            continue
        }
        var out: [UInt8] = []
        ReplyEncoder.appendErrorReply(error, to: &out)
        documents.append(out)
    }

    let verdicts = try SchemaValidator.verdicts(documents, schema: "check-reply.schema.json")
    for (document, verdict) in zip(documents, verdicts) {
        #expect(verdict == "ok", "\(String(decoding: document, as: UTF8.self))")
    }
}

@Test func healthRepliesMatchTheHealthSchema() throws {
    var documents: [[UInt8]] = []
    for id in ids {
        for (redis, postgres) in [(true, true), (true, false), (false, true), (false, false)] {
            var out: [UInt8] = []
            ReplyEncoder.appendHealthReply(
                rawID: id.map { Array($0.utf8) }, redisUp: redis, postgresUp: postgres, to: &out)
            documents.append(out)
        }
    }
    #expect(try SchemaValidator.verdicts(documents, schema: "health-reply.schema.json").allSatisfy { $0 == "ok" })
}

@Test func theReplySchemaRejectsBrokenReplies() throws {
    let broken = [
        #"{"allow":true,"status":401,"reason":"ok","tenant_id":null,"headers":{}}"#,
        #"{"allow":false,"status":401,"reason":"missing_key","tenant_id":null,"headers":{}}"#,
        #"{"allow":false,"status":429,"reason":"rate_exceeded","tenant_id":"t","headers":{},"body":{"error":"x"}}"#,
        #"{"allow":false,"status":503,"reason":"unavailable","tenant_id":null,"headers":{},"body":{"error":"x"}}"#,
        #"{"allow":false,"status":400,"reason":"bad_request","tenant_id":null,"headers":{"a":1},"#
            + #""body":{"error":"x"}}"#,
        #"{"allow":false,"status":400,"reason":"bad_request","tenant_id":null,"headers":{},"#
            + #""body":{"error":"x"},"x":1}"#,
        #"{"id":null,"allow":false,"status":400,"reason":"bad_request","tenant_id":null,"headers":{},"#
            + #""body":{"error":"x"}}"#,
    ]
    let verdicts = try SchemaValidator.verdicts(broken.map { Array($0.utf8) }, schema: "check-reply.schema.json")
    #expect(verdicts.count == broken.count && verdicts.allSatisfy { $0 != "ok" })
}

/// The request schema and the decoder agree on everything the schema can express.
@Test func theRequestSchemaAgreesWithTheDecoder() throws {
    let requests = [
        "{}", #"{"type":"check"}"#, #"{"type":"health","id":1}"#, #"{"type":"purge"}"#, #"{"type":1}"#,
        #"{"type":null,"id":null,"cost":null,"api_key":null,"headers":null,"path":null}"#, #"{"id":"a"}"#,
        #"{"id":-0.5e3}"#, #"{"id":true}"#, #"{"id":[]}"#, #"{"api_key":"k"}"#, #"{"api_key":1}"#,
        #"{"headers":{"x-api-key":"k","Other":"v"}}"#, #"{"headers":{"x":1}}"#, #"{"headers":{"x":null}}"#,
        #"{"headers":[]}"#, #"{"method":"GET","path":"/","host":"h","client_ip":"::1"}"#, #"{"method":1}"#,
        #"{"path":{}}"#, #"{"host":false}"#, #"{"client_ip":[]}"#, #"{"cost":1}"#, #"{"cost":1000000}"#,
        #"{"cost":1000001}"#, #"{"cost":0}"#, #"{"cost":-3}"#, #"{"cost":1.5}"#, #"{"cost":2.0}"#, #"{"cost":5e2}"#,
        #"{"cost":1e7}"#, #"{"cost":"1"}"#, #"{"cost":true}"#, #"{"unknown":{"deep":[1,{"x":null}]},"cost":2}"#,
        "[]", "1", #""check""#, "null",
    ]
    let verdicts = try SchemaValidator.verdicts(requests.map { Array($0.utf8) }, schema: "check-request.schema.json")
    for (request, verdict) in zip(requests, verdicts) {
        let decoded = (try? CheckRequestDecoder.decode(Array(request.utf8)).get()) != nil
        #expect(decoded == (verdict == "ok"), "\(request): decoder \(decoded), schema \(verdict)")
    }
}
