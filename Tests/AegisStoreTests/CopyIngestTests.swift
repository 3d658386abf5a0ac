import AegisCore
import AegisPostgres
import AegisStore
import AegisTestSupport
import Foundation
import Testing

/// Decisions shipped as COPY text lines, the spool's own format.
@Suite struct CopyIngestTests {
    private func lines(_ records: [LogRecord]) -> [UInt8] {
        var bytes: [UInt8] = []
        for record in records { record.appendCopyLine(to: &bytes) }
        return bytes
    }

    @Test func lineFormatRoundTripsEveryField() {
        let tricky = LogRecord(
            id: UUIDv7.next().description, at: 42, tenantID: nil, keyID: UUIDv7.next().description,
            reason: .rateExceeded, status: 429,
            method: "GET", path: "/a\tb\nc\\d\re ü", clientIP: "::1", cost: 3, quotaMonth: 202_612, quotaUsed: 9)
        let bytes = lines([tricky])
        #expect(bytes.last == 0x0A)
        #expect(!bytes.dropLast().contains(0x0A))
        #expect(LogRecord(copyLine: bytes.dropLast()) == tricky)
        #expect(LogRecord(copyLine: ArraySlice("2\tnot\ta\trecord".utf8)) == nil)
    }

    /// `api_key_id` is a uuid column, so a key id that is no UUID would fail the whole batch's COPY.
    @Test func aKeyIDThatIsNoUUIDIsLeftOut() {
        var record = LogRecord(id: UUIDv7.next().description, at: 42, keyID: "k", reason: .ok, status: 200)
        let bytes = lines([record])
        record.keyID = nil
        #expect(LogRecord(copyLine: bytes.dropLast()) == record)
    }

    @Test func copiedLinesStoreWhatTheRecordsSay() throws {
        try TestDatabase.with { url in
            let store = try Store(url: url)
            let fixture = try Fixture(store)
            let path = "/a\tb\nc\\d\re ü\u{0}x \\N"
            let allowed = LogRecord(
                id: UUIDv7.next().description, at: 1_767_225_600_123, tenantID: fixture.tenant.id,
                keyID: fixture.key.info.id, reason: .quotaOverage, status: 200, method: "GET", path: path,
                clientIP: "10.0.0.1", cost: 3, quotaMonth: 202_601, quotaUsed: 7)
            let blocked = LogRecord(
                id: UUIDv7.next().description, at: 1_767_225_600_123, reason: .missingKey, status: 401)
            let bytes = lines([allowed, blocked])

            #expect(try bytes.withUnsafeBytes { try store.ingest(copyLines: $0) } == 2)
            let rows = try store.connection.execute(
                """
                SELECT id, tenant_id, api_key_id, decision, reason, status, method, path, client_ip, cost,
                       (extract(epoch FROM created_at) * 1000)::bigint
                FROM request_logs ORDER BY id
                """)
            #expect(
                rows.rows[0].values == [
                    allowed.id, fixture.tenant.id, fixture.key.info.id, "allowed", "quota_overage", "200", "GET",
                    "/a\tb\nc\\d\re üx \\N", "10.0.0.1", "3", "1767225600123",
                ])
            #expect(
                rows.rows[1].values == [
                    blocked.id, nil, nil, "blocked", "missing_key", "401", nil, nil, nil, "1",
                    "1767225600123",
                ])
            #expect(try store.monthlyUsage(tenantID: fixture.tenant.id, year: 2026, month: 1) == 7)

            // Shipping the same lines again changes nothing.
            #expect(try bytes.withUnsafeBytes { try store.ingest(copyLines: $0) } == 0)
            #expect(try store.monthlyUsage(tenantID: fixture.tenant.id, year: 2026, month: 1) == 7)
        }
    }

    @Test func aDamagedLineRejectsTheBatchWithoutStoringAnything() throws {
        try TestDatabase.with { url in
            let store = try Store(url: url)
            let good = LogRecord(id: UUIDv7.next().description, at: 1, reason: .missingKey, status: 401)
            let bytes = lines([good]) + Array("1\tnot-a-uuid\t5\n".utf8)
            #expect(throws: StoreError.self) { try bytes.withUnsafeBytes { try store.ingest(copyLines: $0) } }
            #expect(try store.connection.execute("SELECT count(*) FROM request_logs").rows[0].int(0) == 0)
        }
    }
}
