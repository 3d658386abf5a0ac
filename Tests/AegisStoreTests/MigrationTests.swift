import AegisPostgres
import AegisStore
import AegisTestSupport
import Foundation
import Synchronization
import Testing

@Suite struct MigrationTests {
    static let tables = ["api_keys", "change_log", "monthly_usage", "plans", "request_logs", "tenants"]

    @Test func bundledMigrationsAreNumberedInOrder() throws {
        let migrations = try Migration.bundled()
        #expect(migrations.first?.version == 1)
        #expect(migrations.first?.name == "0001_initial_schema")
        #expect(migrations.map(\.version) == migrations.map(\.version).sorted())
        #expect(Set(migrations.map(\.version)).count == migrations.count)
    }

    @Test func freshDatabaseGetsEveryTableAndRecordsEachMigration() throws {
        try TestDatabase.with(migrated: false) { url in
            let store = try Store(url: url)
            #expect(try store.appliedMigrationVersions() == [])

            let applied = try store.migrate()
            let bundled = try Migration.bundled()
            #expect(applied == bundled)
            #expect(try store.appliedMigrationVersions() == bundled.map(\.version))
            #expect(try tables(store.connection) == Self.tables)
        }
    }

    @Test func migratingAgainChangesNothing() throws {
        try TestDatabase.with { url in
            let store = try Store(url: url)
            let before = try store.appliedMigrationVersions()
            #expect(try store.migrate() == [])
            #expect(try store.migrate() == [])
            #expect(try store.appliedMigrationVersions() == before)
            let rows = try store.connection.execute("SELECT count(*) FROM schema_migrations")
            #expect(try rows.rows[0].int(0) == before.count)
        }
    }

    @Test func twoMigratorsAtOnceTakeTurns() throws {
        try TestDatabase.with(migrated: false) { url in
            let outcomes = Outcomes()
            let start = DispatchSemaphore(value: 0)
            let done = DispatchGroup()
            for _ in 0..<2 {
                done.enter()
                Thread.detachNewThread {
                    defer { done.leave() }
                    do {
                        let store = try Store(url: url)
                        start.wait()
                        outcomes.add(.success(try store.migrate().count))
                    } catch {
                        outcomes.add(.failure(error))
                    }
                }
            }
            start.signal()
            start.signal()
            #expect(done.wait(timeout: .now() + 60) == .success)

            let counts = try outcomes.all.map { try $0.get() }.sorted()
            let bundled = try Migration.bundled().count
            #expect(counts == [0, bundled])
            let store = try Store(url: url)
            #expect(try store.appliedMigrationVersions() == Array(1...bundled))
            #expect(try tables(store.connection) == Self.tables)
        }
    }

    @Test func failingMigrationIsRolledBackAndStopsTheRest() throws {
        try TestDatabase.with(migrated: false) { url in
            let store = try Store(url: url)
            let migrations = [
                Migration(version: 1, name: "0001_good", sql: "CREATE TABLE first_table (id int);"),
                Migration(version: 2, name: "0002_bad", sql: "CREATE TABLE half_made (id int); SELECT nonsense;"),
                Migration(version: 3, name: "0003_later", sql: "CREATE TABLE later_table (id int);"),
            ]
            let error = #expect(throws: StoreError.self) { try store.migrate(migrations) }
            #expect(error?.code == .migrationFailed)
            #expect(error?.message.hasPrefix("0002_bad:") == true)
            #expect(try store.appliedMigrationVersions() == [1])
            let made = try store.connection.execute(
                "SELECT to_regclass('first_table') IS NOT NULL, to_regclass('half_made') IS NOT NULL, "
                    + "to_regclass('later_table') IS NOT NULL")
            #expect(made.rows[0].values == ["t", "f", "f"])

            // The lock is released after a failure: a fixed set of migrations then applies.
            let fixed = [migrations[0], Migration(version: 2, name: "0002_fixed", sql: "SELECT 1;"), migrations[2]]
            #expect(try store.migrate(fixed).map(\.version) == [2, 3])
        }
    }

    @Test func queriesBeforeMigratingSayWhatToDo() throws {
        try TestDatabase.with(migrated: false) { url in
            let store = try Store(url: url)
            let error = #expect(throws: StoreError.self) { try store.listPlans() }
            #expect(error?.code == .notMigrated)
            #expect(error?.message.contains("aegis migrate") == true)
        }
    }

    private func tables(_ connection: PostgresConnection) throws -> [String] {
        let result = try connection.execute(
            """
            SELECT table_name FROM information_schema.tables
            WHERE table_schema = 'public' AND table_name <> 'schema_migrations' ORDER BY table_name
            """)
        return try result.rows.map { try $0.string(0) }
    }
}

/// Results gathered from several threads.
private final class Outcomes: Sendable {
    private let results = Mutex<[Result<Int, any Error>]>([])

    func add(_ result: Result<Int, any Error>) {
        results.withLock { $0.append(result) }
    }

    var all: [Result<Int, any Error>] {
        results.withLock { $0 }
    }
}
