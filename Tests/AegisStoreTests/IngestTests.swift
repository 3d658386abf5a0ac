import AegisCore
import AegisPostgres
import AegisStore
import AegisTestSupport
import Foundation
import Testing

@Suite struct IngestTests {
    @Test func storesEveryFieldAndMapsTheDecision() throws {
        try TestDatabase.with { url in
            let store = try Store(url: url)
            let fixture = try Fixture(store)
            let at: Int64 = 1_767_225_600_123  // 2026-01-01T00:00:00.123Z
            let allowed = LogRecord(
                id: UUIDv7.next().description, at: at, tenantID: fixture.tenant.id, keyID: fixture.key.info.id,
                reason: .quotaOverage, status: 200, method: "GET", path: "/a?b=\"c\"\\d,{e}", clientIP: "10.0.0.1",
                cost: 3, quotaMonth: 202_601, quotaUsed: 7)
            let blocked = LogRecord(id: UUIDv7.next().description, at: at, reason: .missingKey, status: 401)

            let summary = try store.ingest([allowed, blocked])
            #expect(summary == IngestSummary(inserted: 2, duplicates: 0, rejected: 0))

            let rows = try store.connection.execute(
                """
                SELECT id, tenant_id, api_key_id, decision, reason, status, method, path, client_ip, cost,
                       (extract(epoch FROM created_at) * 1000)::bigint
                FROM request_logs ORDER BY id
                """)
            #expect(
                rows.rows[0].values == [
                    allowed.id, fixture.tenant.id, fixture.key.info.id, "allowed", "quota_overage", "200", "GET",
                    "/a?b=\"c\"\\d,{e}", "10.0.0.1", "3", String(at),
                ])
            #expect(
                rows.rows[1].values == [
                    blocked.id, nil, nil, "blocked", "missing_key", "401", nil, nil, nil, "1", String(at),
                ])
        }
    }

    @Test func reIngestingABatchChangesNothing() throws {
        try TestDatabase.with { url in
            let store = try Store(url: url)
            let fixture = try Fixture(store)
            let batch = records(5_000, tenant: fixture.tenant.id, key: fixture.key.info.id, month: 203_003)

            let clock = ContinuousClock()
            var first = IngestSummary(inserted: 0, duplicates: 0, rejected: 0)
            let elapsed = try clock.measure { first = try store.ingest(batch) }
            print("ingest of 5000 records took \(elapsed)")
            #expect(first.inserted == 5_000)
            #expect(try store.monthlyUsage(tenantID: fixture.tenant.id, year: 2030, month: 3) == 5_000)

            let again = try store.ingest(batch)
            #expect(again == IngestSummary(inserted: 0, duplicates: 5_000, rejected: 0))
            #expect(try count(store, "request_logs") == 5_000)
            #expect(try store.monthlyUsage(tenantID: fixture.tenant.id, year: 2030, month: 3) == 5_000)

            // A batch that overlaps the stored one stores only what is new.
            let overlap = Array(batch.suffix(10)) + records(5, tenant: fixture.tenant.id, key: nil, month: 203_003)
            #expect(try store.ingest(overlap) == IngestSummary(inserted: 5, duplicates: 10, rejected: 0))
        }
    }

    @Test func usageOnlyMovesUp() throws {
        try TestDatabase.with { url in
            let store = try Store(url: url)
            let tenant = try Fixture(store).tenant.id
            func record(_ used: Int64, month: Int = 203_012) -> LogRecord {
                LogRecord(
                    id: UUIDv7.next().description, at: 0, tenantID: tenant, reason: .ok, status: 200,
                    quotaMonth: month, quotaUsed: used)
            }

            try store.ingest([record(40), record(90), record(60)])
            #expect(try store.monthlyUsage(tenantID: tenant, year: 2030, month: 12) == 90)
            try store.ingest([record(10)])
            #expect(try store.monthlyUsage(tenantID: tenant, year: 2030, month: 12) == 90)
            try store.ingest([record(91), record(5, month: 203_101)])
            #expect(try store.monthlyUsage(tenantID: tenant, year: 2030, month: 12) == 91)
            #expect(try store.monthlyUsage(tenantID: tenant, year: 2031, month: 1) == 5)
        }
    }

    @Test func malformedRecordsNeverBlockTheBatch() throws {
        try TestDatabase.with { url in
            let store = try Store(url: url)
            let unknownTenant = UUIDv7.next().description
            let batch = [
                LogRecord(id: "not-a-uuid", at: 0, reason: .ok, status: 200),
                LogRecord(
                    id: UUIDv7.next().description, at: 0, tenantID: "garbage", keyID: "also garbage", reason: .ok,
                    status: 200, path: "nul\u{0}inside", quotaMonth: 203_001, quotaUsed: 3),
                LogRecord(
                    id: UUIDv7.next().description, at: 0, tenantID: unknownTenant, reason: .ok, status: 200,
                    quotaMonth: 203_001, quotaUsed: 3),
                LogRecord(
                    id: UUIDv7.next().description, at: 0, tenantID: unknownTenant, reason: .ok, status: 200,
                    quotaMonth: 203_013, quotaUsed: 3),
            ]
            #expect(try store.ingest(batch) == IngestSummary(inserted: 3, duplicates: 0, rejected: 1))
            #expect(try count(store, "monthly_usage") == 0)
            let stored = try store.connection.execute(
                "SELECT tenant_id, api_key_id, path FROM request_logs ORDER BY id")
            #expect(stored.rows[0].values == [nil, nil, "nulinside"])
            #expect(stored.rows[1].values == [unknownTenant, nil, nil])
        }
    }

    @Test func emptyBatchIsANoOp() throws {
        try TestDatabase.with { url in
            let store = try Store(url: url)
            #expect(try store.ingest([]) == IngestSummary(inserted: 0, duplicates: 0, rejected: 0))
        }
    }

    private func records(_ count: Int, tenant: String, key: String?, month: Int) -> [LogRecord] {
        (1...count).map { (index: Int) -> LogRecord in
            let denied = index % 10 == 0
            let reason: Reason = denied ? .rateExceeded : .ok
            return LogRecord(
                id: UUIDv7.next().description, at: 1_900_000_000_000 + Int64(index), tenantID: tenant, keyID: key,
                reason: reason, status: reason.status, method: "POST", path: "/items/\(index)",
                clientIP: "192.0.2.\(index % 256)", cost: 1, quotaMonth: month, quotaUsed: Int64(index))
        }
    }

    private func count(_ store: Store, _ table: String) throws -> Int {
        try store.connection.execute("SELECT count(*) FROM \(table)").rows[0].int(0)
    }
}
