import AegisPostgres

/// One row of `change_log`: something a running daemon must apply at once.
public struct Change: Sendable, Equatable {
    /// Increasing; rows commit in this order.
    public var seq: Int64
    /// `tenant`, `key` or `plan`.
    public var kind: String
    /// The id of the tenant, key or plan that changed.
    public var target: String

    public init(seq: Int64, kind: String, target: String) {
        self.seq = seq
        self.kind = kind
        self.target = target
    }
}

extension Store {
    /// Changes recorded after `seq`, oldest first.
    /// - Parameters:
    ///   - seq: the last sequence number already seen (from ``latestChangeSeq()`` at start-up).
    ///   - limit: at most this many rows; ask again from the last one for more.
    public func changes(after seq: Int64, limit: Int = 1_000) throws(StoreError) -> [Change] {
        let result = try query(
            "SELECT seq, kind, target FROM change_log WHERE seq > $1 ORDER BY seq LIMIT $2",
            [String(seq), String(max(1, limit))])
        return try decode { () throws(PostgresError) in
            try result.rows.map { row throws(PostgresError) in
                Change(seq: try row.int64(0), kind: try row.string(1), target: try row.string(2))
            }
        }
    }

    /// The newest sequence number in `change_log`; 0 when it is empty.
    public func latestChangeSeq() throws(StoreError) -> Int64 {
        let result = try query("SELECT coalesce(max(seq), 0) FROM change_log")
        return try decode { () throws(PostgresError) in try result.rows.first?.int64(0) ?? 0 }
    }

    /// Subscribes this store's connection to ``changeChannel``.
    public func listenForChanges() throws(StoreError) {
        do {
            try connection.listen(Self.changeChannel)
        } catch {
            throw StoreError(error)
        }
    }

    /// Waits up to `timeoutSeconds` for a change notice on a connection that ``listenForChanges()``
    /// subscribed, and drains every notice that arrived.
    ///
    /// Notices only wake the caller, which then reads ``changes(after:limit:)``; the table, not the
    /// payload, is the record. A broken connection returns at once with an empty array; the next
    /// query reports it.
    /// - Returns: the payloads received (`kind:target`), oldest first.
    @discardableResult
    public func waitForNotification(timeoutSeconds: Double) -> [String] {
        var notices = pendingNotifications()
        guard notices.isEmpty else { return notices }
        let timeout = Duration.milliseconds(Int64(max(0, timeoutSeconds) * 1000))
        guard (try? connection.waitForInput(timeout: timeout)) == true else { return [] }
        notices = pendingNotifications()
        return notices
    }

    /// Reads what the server has sent and returns the change payloads among it.
    private func pendingNotifications() -> [String] {
        guard (try? connection.consumeInput()) != nil else { return [] }
        return connection.notifications().filter { $0.channel == Self.changeChannel }.map(\.payload)
    }

    /// Records a change and announces it, inside the caller's transaction.
    ///
    /// The advisory lock, held until the transaction ends, makes writers take turns from sequence
    /// number to commit: otherwise a later number could commit first, and a watcher that moved past
    /// it would never see the earlier one.
    func recordChange(kind: String, target: String) throws(StoreError) {
        try query("SELECT pg_advisory_xact_lock($1::int, $2::int)", AdvisoryLock.changeLog)
        try query("INSERT INTO change_log (kind, target) VALUES ($1, $2)", [kind, target])
        try query("SELECT pg_notify($1, $2)", [Self.changeChannel, "\(kind):\(target)"])
    }
}
