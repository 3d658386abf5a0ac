import AegisCore
import AegisPostgres

/// One decision as the daemon logs it.
public struct LogRecord: Sendable, Equatable {
    /// The decision id (a UUIDv7); `request_logs.id`, so a record shipped twice is stored once.
    public var id: String
    /// When the decision was made, in milliseconds since the Unix epoch.
    public var at: Int64
    public var tenantID: String?
    public var keyID: String?
    public var reason: Reason
    /// The HTTP status given to the proxy.
    public var status: Int
    public var method: String?
    public var path: String?
    public var clientIP: String?
    public var cost: Int
    /// The UTC month the quota counter below belongs to, as `year * 100 + month`.
    public var quotaMonth: Int?
    /// The tenant's quota counter for `quotaMonth` after this decision, as the limiter returned it.
    public var quotaUsed: Int64?

    public init(
        id: String, at: Int64, tenantID: String? = nil, keyID: String? = nil, reason: Reason, status: Int,
        method: String? = nil, path: String? = nil, clientIP: String? = nil, cost: Int = 1,
        quotaMonth: Int? = nil, quotaUsed: Int64? = nil
    ) {
        self.id = id
        self.at = at
        self.tenantID = tenantID
        self.keyID = keyID
        self.reason = reason
        self.status = status
        self.method = method
        self.path = path
        self.clientIP = clientIP
        self.cost = cost
        self.quotaMonth = quotaMonth
        self.quotaUsed = quotaUsed
    }
}

/// What one ``Store/ingest(_:)`` call did.
public struct IngestSummary: Sendable, Equatable {
    /// Records newly written to `request_logs`.
    public var inserted: Int
    /// Records whose id was already stored (an earlier delivery of the same batch).
    public var duplicates: Int
    /// Records dropped because their id is not a UUID; retrying them could never succeed.
    public var rejected: Int

    public init(inserted: Int, duplicates: Int, rejected: Int) {
        self.inserted = inserted
        self.duplicates = duplicates
        self.rejected = rejected
    }
}

extension Store {
    /// Stores a batch of decisions and brings `monthly_usage` up to the quota counters they carry,
    /// all in one transaction.
    ///
    /// Safe to repeat: rows whose id exists are skipped, and usage only ever moves up
    /// (`GREATEST(stored, counter)`), so a batch delivered twice changes nothing the second time.
    /// A `tenantID` or `keyID` that is not a UUID is stored as NULL; usage is only recorded for
    /// tenants that exist. Each batch travels as one array per column (`unnest`), so thousands of
    /// records cost one statement.
    @discardableResult
    public func ingest(_ records: [LogRecord]) throws(StoreError) -> IngestSummary {
        let valid = records.filter { Validate.isUUID($0.id) }
        let rejected = records.count - valid.count
        guard !valid.isEmpty else { return IngestSummary(inserted: 0, duplicates: 0, rejected: rejected) }

        return try transaction { () throws(StoreError) in
            let inserted = try insertLogs(valid)
            try raiseUsage(valid)
            return IngestSummary(inserted: inserted, duplicates: valid.count - inserted, rejected: rejected)
        }
    }

    /// Stores a batch of decisions given as COPY text lines (``LogRecord/appendCopyLine(to:)``),
    /// with the same guarantees as ``ingest(_:)``: one transaction, repeated rows skipped, usage
    /// only raised. The lines go to the server as they are, so a batch costs no parsing here.
    /// - Parameter lines: whole lines, each ending in `\n`.
    /// - Returns: how many rows were new.
    /// - Throws: ``StoreError``; `.database` when a line is malformed (nothing is stored then: fall
    ///   back to parsing the lines and ``ingest(_:)``, which drops bad records one by one).
    @discardableResult
    public func ingest(copyLines lines: UnsafeRawBufferPointer) throws(StoreError) -> Int {
        try transaction { () throws(StoreError) in
            try query("CREATE TEMPORARY TABLE aegis_spool_batch (\(LogRecord.copyColumns)) ON COMMIT DROP")
            do throws(PostgresError) {
                try connection.copyIn("COPY aegis_spool_batch FROM STDIN WITH (FORMAT text, NULL '')", data: lines)
            } catch {
                throw StoreError(error)
            }
            let allowing = PostgresArray.literal(Reason.allCases.filter(\.allows).map(\.rawValue))
            let inserted = try query(
                """
                INSERT INTO request_logs
                    (id, tenant_id, api_key_id, decision, reason, status, method, path, client_ip, cost, created_at)
                SELECT id, tenant_id, api_key_id,
                       CASE WHEN reason = ANY($1::text[]) THEN 'allowed' ELSE 'blocked' END,
                       reason, status, method, path, client_ip, cost, to_timestamp(at_ms / 1000.0)
                FROM aegis_spool_batch
                ON CONFLICT (id) DO NOTHING
                """, [allowing]
            ).affectedRows
            try query(
                """
                INSERT INTO monthly_usage (tenant_id, year, month, requests_used, updated_at)
                SELECT b.tenant_id, b.quota_month / 100, b.quota_month % 100, max(b.quota_used), now()
                FROM aegis_spool_batch b JOIN tenants t ON t.id = b.tenant_id
                WHERE b.quota_used >= 0 AND b.quota_month % 100 BETWEEN 1 AND 12
                GROUP BY 1, 2, 3
                ON CONFLICT (tenant_id, year, month) DO UPDATE
                    SET requests_used = GREATEST(monthly_usage.requests_used, excluded.requests_used),
                        updated_at = now()
                    WHERE monthly_usage.requests_used < excluded.requests_used
                """)
            return inserted
        }
    }

    private func insertLogs(_ records: [LogRecord]) throws(StoreError) -> Int {
        func column(_ value: (LogRecord) -> String?) -> String? { PostgresArray.literal(records.map(value)) }
        func uuidOrNil(_ text: String?) -> String? { text.flatMap { Validate.isUUID($0) ? $0 : nil } }

        let result = try query(
            """
            INSERT INTO request_logs
                (id, tenant_id, api_key_id, decision, reason, status, method, path, client_ip, cost, created_at)
            SELECT id, tenant_id, api_key_id, decision, reason, status, method, path, client_ip, cost,
                   to_timestamp(at_ms / 1000.0)
            FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::int[], $7::text[],
                        $8::text[], $9::text[], $10::int[], $11::bigint[])
                AS r (id, tenant_id, api_key_id, decision, reason, status, method, path, client_ip, cost, at_ms)
            ON CONFLICT (id) DO NOTHING
            """,
            [
                column { $0.id }, column { uuidOrNil($0.tenantID) }, column { uuidOrNil($0.keyID) },
                column { $0.reason.allows ? "allowed" : "blocked" }, column { $0.reason.rawValue },
                column { String(Int32(clamping: $0.status)) }, column { $0.method }, column { $0.path },
                column { $0.clientIP }, column { String(Int32(clamping: $0.cost)) }, column { String($0.at) },
            ])
        return result.affectedRows
    }

    /// Upserts the highest counter per tenant and month in the batch.
    private func raiseUsage(_ records: [LogRecord]) throws(StoreError) {
        var highest: [UsageKey: Int64] = [:]
        for record in records {
            guard let tenantID = record.tenantID, Validate.isUUID(tenantID),
                let quotaMonth = record.quotaMonth, let used = record.quotaUsed, used >= 0,
                (1...12).contains(quotaMonth % 100), (1970...9999).contains(quotaMonth / 100)
            else { continue }
            let key = UsageKey(tenantID: tenantID.lowercased(), month: quotaMonth)
            highest[key] = max(highest[key] ?? 0, used)
        }
        guard !highest.isEmpty else { return }

        let entries = Array(highest)
        try query(
            """
            INSERT INTO monthly_usage (tenant_id, year, month, requests_used, updated_at)
            SELECT u.tenant_id, u.year, u.month, u.used, now()
            FROM unnest($1::uuid[], $2::int[], $3::int[], $4::bigint[]) AS u (tenant_id, year, month, used)
            JOIN tenants t ON t.id = u.tenant_id
            ON CONFLICT (tenant_id, year, month) DO UPDATE
                SET requests_used = GREATEST(monthly_usage.requests_used, excluded.requests_used),
                    updated_at = now()
                WHERE monthly_usage.requests_used < excluded.requests_used
            """,
            [
                PostgresArray.literal(entries.map { $0.key.tenantID }),
                PostgresArray.literal(entries.map { Int64($0.key.month / 100) }),
                PostgresArray.literal(entries.map { Int64($0.key.month % 100) }),
                PostgresArray.literal(entries.map { $0.value }),
            ])
    }
}

private struct UsageKey: Hashable {
    var tenantID: String
    var month: Int
}
