import AegisPostgres
import AegisTestSupport
import Testing

@Suite struct PostgresConnectionTests {
    @Test func parametersTravelAsValuesNotSQL() throws {
        let connection = try PostgresConnection(url: TestDatabase.serverURL())
        let hostile = "'; DROP TABLE nothing; --"
        let result = try connection.execute("SELECT $1::text, $2::text IS NULL, $3::int + 1", [hostile, nil, "41"])
        #expect(result.columns.count == 3)
        #expect(result.rows[0].values == [hostile, "t", "42"])
    }

    @Test func serverErrorsCarryTheirSQLState() throws {
        let connection = try PostgresConnection(url: TestDatabase.serverURL())
        let error = #expect(throws: PostgresError.self) { try connection.execute("SELECT * FROM no_such_table") }
        #expect(error?.code == .queryFailed)
        #expect(error?.isUndefinedTable == true)
        #expect(error?.message.contains("no_such_table") == true)
        // The connection stays usable after a failed statement.
        #expect(try connection.execute("SELECT 1").rows[0].values == ["1"])
    }

    @Test func transactionRollsBackWhenTheBodyThrows() throws {
        let connection = try PostgresConnection(url: TestDatabase.serverURL())
        try connection.execute("CREATE TEMPORARY TABLE scratch (n int)")
        struct Abort: Error {}
        #expect(throws: Abort.self) {
            try connection.transaction {
                try connection.execute("INSERT INTO scratch VALUES (1)")
                throw Abort()
            }
        }
        try connection.transaction { try connection.execute("INSERT INTO scratch VALUES (2)") }
        #expect(try connection.execute("SELECT n FROM scratch").rows.map(\.values) == [["2"]])
    }

    @Test func notificationsArriveOnTheListeningConnection() throws {
        let url = try TestDatabase.serverURL()
        let listener = try PostgresConnection(url: url)
        let sender = try PostgresConnection(url: url)
        let channel = "test_\(UUIDSuffix.make())"
        try listener.listen(channel)
        #expect(listener.socket >= 0)

        try sender.execute("SELECT pg_notify($1, $2)", [channel, "hello"])
        #expect(try listener.waitForInput(timeout: .seconds(5)))
        try listener.consumeInput()
        let received = listener.notifications()
        #expect(received.map(\.channel) == [channel])
        #expect(received.map(\.payload) == ["hello"])
        #expect(listener.notifications().isEmpty)
    }

    @Test func failedConnectNeverShowsThePassword() throws {
        let secret = "s3cret-\(UUIDSuffix.make())"
        for url in [
            "postgresql://aegis:\(secret)@127.0.0.1:1/nothing",
            "postgresql://aegis:\(secret)@[::1/broken",
            "host=127.0.0.1 port=1 user=aegis password=\(secret)",
        ] {
            let error = #expect(throws: PostgresError.self) { try PostgresConnection(url: url, connectTimeout: 2) }
            #expect(error?.code == .connectionFailed)
            #expect(error?.message.isEmpty == false)
            #expect(error.map { "\($0)" }?.contains(secret) == false)
        }
    }

    @Test func connectGivesUpAfterTheTimeout() throws {
        let silent = try SilentListener()
        let clock = ContinuousClock()
        let started = clock.now
        let error = #expect(throws: PostgresError.self) {
            try PostgresConnection(url: "postgresql://aegis@127.0.0.1:\(silent.port)/aegis", connectTimeout: 2)
        }
        #expect(error?.code == .connectionFailed)
        #expect(error?.message.contains("timeout") == true)
        #expect(clock.now - started < .seconds(5))
    }

    @Test func theURLsOwnConnectTimeoutWins() throws {
        let silent = try SilentListener()
        let clock = ContinuousClock()
        let started = clock.now
        #expect(throws: PostgresError.self) {
            try PostgresConnection(
                url: "postgresql://aegis@127.0.0.1:\(silent.port)/aegis?connect_timeout=2", connectTimeout: 60)
        }
        #expect(clock.now - started < .seconds(5))
    }

    @Test func describeLeavesThePasswordOut() {
        #expect(PostgresURL.describe("postgresql://aegis:pw@db.example:6543/main") == "aegis@db.example:6543/main")
        #expect(PostgresURL.describe("postgresql://[broken") == nil)
    }

    @Test func arrayLiteralsQuoteEverything() {
        #expect(
            PostgresArray.literal(["a", nil, "b\"c\\d", "", "x,y}", "NULL"])
                == #"{"a",NULL,"b\"c\\d","","x,y}","NULL"}"#)
        #expect(PostgresArray.literal([Int64]()) == "{}")
        #expect(PostgresArray.literal([1, -2] as [Int64]) == "{1,-2}")
    }
}
