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
    /// tenants that exist. The batch travels as COPY lines, like ``ingest(copyLines:)``.
    @discardableResult
    public func ingest(_ records: [LogRecord]) throws(StoreError) -> IngestSummary {
        func uuidOrNil(_ text: String?) -> String? { text.flatMap { Validate.isUUID($0) ? $0 : nil } }
        var lines: [UInt8] = []
        var valid = 0
        for var record in records where Validate.isUUID(record.id) {
            record.tenantID = uuidOrNil(record.tenantID)
            record.keyID = uuidOrNil(record.keyID)
            record.appendCopyLine(to: &lines)
            valid += 1
        }
        let rejected = records.count - valid
        guard valid > 0 else { return IngestSummary(inserted: 0, duplicates: 0, rejected: rejected) }

        // withUnsafeBytes rethrows untyped errors; a Result keeps StoreError's type across it.
        let copied = lines.withUnsafeBytes { bytes in
            Result { () throws(StoreError) in try ingest(copyLines: bytes) }
        }
        let inserted = try copied.get()
        return IngestSummary(inserted: inserted, duplicates: valid - inserted, rejected: rejected)
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
                    AND b.quota_month / 100 BETWEEN 1970 AND 9999
                GROUP BY 1, 2, 3
                ON CONFLICT (tenant_id, year, month) DO UPDATE
                    SET requests_used = GREATEST(monthly_usage.requests_used, excluded.requests_used),
                        updated_at = now()
                    WHERE monthly_usage.requests_used < excluded.requests_used
                """)
            return inserted
        }
    }
}
