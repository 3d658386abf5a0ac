import AegisCore
import AegisStore
import AegisTestSupport
import Foundation
import Testing

/// Every command against a real PostgreSQL, through the same entry point `aegis` uses.
@Suite struct AdminCommandTests {
    @Test func migrateCreatesTheSchemaOnceAndSaysSo() throws {
        try TestDatabase.with(migrated: false) { url in
            let cli = CLI(databaseURL: url)
            let first = cli.run("migrate")
            #expect(first.status == 0)
            #expect(first.lines == ["Applied 0001_initial_schema.", "The schema is at version 1."])

            let again = try cli.object("migrate")
            #expect(again["applied"] as? [Any] != nil)
            #expect((again["applied"] as? [Any])?.isEmpty == true)
            #expect(again["version"] as? Int == 1)
            #expect(cli.run("migrate").lines == ["The schema is up to date (version 1)."])
        }
    }

    @Test func migrateJSONListsWhatItApplied() throws {
        try TestDatabase.with(migrated: false) { url in
            let result = try CLI(databaseURL: url).object("migrate")
            let applied = try #require(result["applied"] as? [[String: Any]])
            #expect(applied.first?["version"] as? Int == 1)
            #expect(applied.first?["name"] as? String == "0001_initial_schema")
        }
    }

    @Test func commandsBeforeMigrateSayWhatToDo() throws {
        try TestDatabase.with(migrated: false) { url in
            let outcome = CLI(databaseURL: url).run("tenant", "list")
            #expect(outcome.status == 1)
            #expect(outcome.err == "aegis tenant list: the database has no Aegis schema; run `aegis migrate` first\n")
        }
    }

    @Test func planCommands() throws {
        try TestDatabase.with { url in
            let cli = CLI(databaseURL: url)
            let created = try cli.object(
                "plan", "create", "--name", "gold", "--burst-rps", "10", "--rpm", "600", "--monthly-quota", "100000",
                "--enforcement", "hard")
            #expect(Set(created.keys) == ["id"])
            let id = try #require(created["id"] as? String)
            #expect(UUIDv7(id) != nil)

            let text = cli.run(
                "plan", "create", "--name=silver", "--burst-rps=5", "--rpm=60", "--monthly-quota=0",
                "--enforcement=soft")
            #expect(text.status == 0)
            #expect(text.out.hasPrefix("Created plan silver ("))
            #expect(text.out.hasSuffix("): burst 5/s, 60/min, 0/month, soft.\n"))

            let listed = try cli.array("plan", "list")
            #expect(listed.map { $0["name"] as? String } == ["gold", "silver"])
            #expect(
                Set(listed[0].keys)
                    == ["id", "name", "burst_rps", "sustained_rpm", "monthly_quota", "enforcement", "created_at"])
            #expect(listed[0]["id"] as? String == id)
            #expect(listed[0]["burst_rps"] as? Int == 10)
            #expect(listed[0]["sustained_rpm"] as? Int == 600)
            #expect(listed[0]["monthly_quota"] as? Int == 100_000)
            #expect(listed[0]["enforcement"] as? String == "hard")
            #expect((listed[0]["created_at"] as? String).flatMap { try? Date($0, strategy: .iso8601) } != nil)

            let table = cli.run("plan", "list")
            #expect(table.lines.count == 3)
            #expect(table.lines[0].hasPrefix("ID "))
            #expect(table.lines[1].contains("gold"))

            let updated = try cli.object("plan", "update", "gold", "--rpm", "1200", "--enforcement", "soft")
            #expect(updated["id"] as? String == id)
            #expect(updated["sustained_rpm"] as? Int == 1200)
            #expect(updated["burst_rps"] as? Int == 10)
            #expect(updated["enforcement"] as? String == "soft")
            let renamed = cli.run("plan", "update", id, "--name", "platinum")
            #expect(renamed.status == 0)
            #expect(renamed.out.hasPrefix("Updated plan platinum (\(id))"))

            let taken = cli.run(
                "plan", "create", "--name", "silver", "--burst-rps", "1", "--rpm", "1", "--monthly-quota", "1",
                "--enforcement", "hard")
            #expect(taken.status == 1)
            #expect(taken.err == "aegis plan create: a plan named 'silver' already exists\n")
            let missing = cli.run("plan", "update", "bronze", "--rpm", "5")
            #expect(missing.status == 1)
            #expect(missing.err == "aegis plan update: no plan is named 'bronze'\n")
        }
    }

    @Test func tenantCommands() throws {
        try TestDatabase.with { url in
            let cli = CLI(databaseURL: url)
            let gold = try createPlan(cli, "gold")
            let silver = try createPlan(cli, "silver")

            let created = try cli.object("tenant", "create", "--name", "acme", "--plan", "gold")
            #expect(Set(created.keys) == ["id"])
            let id = try #require(created["id"] as? String)
            let text = cli.run("tenant", "create", "--name", "globex", "--plan", silver)
            #expect(text.status == 0)
            #expect(text.out.hasPrefix("Created tenant globex ("))
            #expect(text.out.hasSuffix(") on plan silver.\n"))

            let listed = try cli.array("tenant", "list")
            #expect(listed.map { $0["name"] as? String } == ["acme", "globex"])
            #expect(Set(listed[0].keys) == ["id", "name", "status", "plan_id", "plan", "created_at"])
            #expect(listed[0]["status"] as? String == "active")
            #expect(listed[0]["plan_id"] as? String == gold)
            #expect(listed[0]["plan"] as? String == "gold")

            let suspended = try cli.object("tenant", "suspend", "acme")
            #expect(suspended["id"] as? String == id)
            #expect(suspended["status"] as? String == "suspended")
            #expect(cli.run("tenant", "activate", id).lines == ["Activated tenant acme (\(id))."])
            #expect(cli.run("tenant", "suspend", id).lines == ["Suspended tenant acme (\(id))."])
            #expect(
                cli.run("tenant", "set-plan", "acme", "silver").lines == ["Moved tenant acme (\(id)) to plan silver."])
            let moved = try cli.object("tenant", "set-plan", id, gold)
            #expect(moved["plan_id"] as? String == gold)
            #expect(moved["status"] as? String == "suspended")

            let duplicate = cli.run("tenant", "create", "--name", "acme", "--plan", "gold")
            #expect(duplicate.status == 1)
            #expect(duplicate.err == "aegis tenant create: a tenant named 'acme' already exists\n")
            let noPlan = cli.run("tenant", "create", "--name", "initech", "--plan", "bronze")
            #expect(noPlan.status == 1)
            #expect(noPlan.err == "aegis tenant create: no plan is named 'bronze'\n")
            let badName = cli.run("tenant", "create", "--name", " acme", "--plan", "gold")
            #expect(badName.status == 2)
            #expect(badName.err.hasPrefix("aegis tenant create: the tenant name ' acme' starts or ends with a space"))
            let unknown = cli.run("tenant", "suspend", "nobody")
            #expect(unknown.status == 1)
            #expect(unknown.err == "aegis tenant suspend: no tenant is named 'nobody'\n")
        }
    }

    @Test func keyCommands() throws {
        try TestDatabase.with { url in
            let cli = CLI(databaseURL: url)
            _ = try createPlan(cli, "gold")
            let tenant = try #require(
                try cli.object("tenant", "create", "--name", "acme", "--plan", "gold")["id"] as? String)

            let created = try cli.object("key", "create", "--tenant", "acme")
            #expect(Set(created.keys) == ["id", "key", "tenant_id", "prefix"])
            let keyID = try #require(created["id"] as? String)
            let raw = try #require(created["key"] as? String)
            #expect(created["tenant_id"] as? String == tenant)
            #expect(created["prefix"] as? String == String(raw.prefix(8)))
            #expect(raw.hasPrefix("ak_"))
            #expect(raw.count == 46)

            let text = cli.run("key", "create", "--tenant", tenant)
            #expect(text.status == 0)
            #expect(text.lines.count == 2)
            #expect(text.lines[0].contains("shown only this once"))
            let secondRaw = text.lines[1]
            #expect(secondRaw.hasPrefix("ak_"))

            // Only the hash is stored; the key resolves through it.
            let store = try Store(url: url)
            let found = try store.lookupKeys(hashes: [APIKey.hash(raw), APIKey.hash(secondRaw)])
            #expect(found[APIKey.hash(raw)]?.keyID == keyID)
            #expect(found[APIKey.hash(secondRaw)]?.tenantID == tenant)
            let stored = try store.connection.execute(
                "SELECT count(*) FROM api_keys WHERE key_hash = $1", [APIKey.hash(raw)])
            #expect(stored.rows[0].values == ["1"])

            let listed = try cli.array("key", "list")
            #expect(listed.count == 2)
            #expect(Set(listed[0].keys) == ["id", "prefix", "tenant_id", "tenant", "created_at", "revoked_at"])
            #expect(listed[0]["revoked_at"] is NSNull)
            let listings = cli.run("key", "list").out + cli.run("key", "list", "--json").out
            for secret in [raw, secondRaw, APIKey.hash(raw), APIKey.hash(secondRaw)] {
                #expect(!listings.contains(secret))
            }
            #expect(try cli.array("key", "list", "--tenant", "acme").count == 2)

            let revoked = try cli.object("key", "revoke", keyID)
            #expect(revoked["already_revoked"] as? Bool == false)
            #expect(revoked["revoked_at"] is String)
            #expect(try store.lookupKeys(hashes: [APIKey.hash(raw)]).isEmpty)
            let again = cli.run("key", "revoke", keyID)
            #expect(again.status == 0)
            #expect(again.out.hasPrefix("Key \(keyID) was already revoked at "))
            #expect(try cli.array("key", "list", "--tenant", tenant).filter { $0["revoked_at"] is String }.count == 1)

            let notAnID = cli.run("key", "revoke", "ak_abc")
            #expect(notAnID.status == 2)
            #expect(notAnID.err == "aegis key revoke: key id 'ak_abc' is not a UUID\n")
            let unknownKey = cli.run("key", "revoke", UUIDv7.next().description)
            #expect(unknownKey.status == 1)
            let unknownTenant = cli.run("key", "create", "--tenant", "nobody")
            #expect(unknownTenant.status == 1)
            #expect(unknownTenant.err == "aegis key create: no tenant is named 'nobody'\n")
        }
    }

    @Test func usageCommand() throws {
        try TestDatabase.with { url in
            let cli = CLI(databaseURL: url)
            _ = try createPlan(cli, "gold")
            let acme = try #require(
                try cli.object("tenant", "create", "--name", "acme", "--plan", "gold")["id"] as? String)
            _ = try cli.object("tenant", "create", "--name", "globex", "--plan", "gold")
            try Store(url: url).ingest([
                LogRecord(
                    id: UUIDv7.next().description, at: 0, tenantID: acme, reason: .ok, status: 200, quotaMonth: 202_503,
                    quotaUsed: 250)
            ])

            let march = try cli.array("usage", "--month", "2025-03")
            #expect(march.map { $0["tenant"] as? String } == ["acme", "globex"])
            #expect(
                Set(march[0].keys)
                    == ["tenant_id", "tenant", "month", "requests_used", "monthly_quota", "enforcement", "updated_at"])
            #expect(march[0]["month"] as? String == "2025-03")
            #expect(march[0]["requests_used"] as? Int == 250)
            #expect(march[0]["monthly_quota"] as? Int == 100_000)
            #expect(march[0]["updated_at"] is String)
            #expect(march[1]["requests_used"] as? Int == 0)
            #expect(march[1]["updated_at"] is NSNull)

            let one = try cli.array("usage", "--tenant", "acme", "--month", "2025-03")
            #expect(one.map { $0["tenant_id"] as? String } == [acme])
            #expect(try cli.array("usage", "--tenant", acme, "--month", "2025-04").first?["requests_used"] as? Int == 0)

            let text = cli.run("usage", "--month", "2025-03")
            #expect(text.lines.count == 3)
            #expect(text.lines[1].hasPrefix("acme"))
            #expect(text.lines[1].contains("2025-03"))
            #expect(text.lines[1].contains("250"))
            #expect(text.lines[1].contains("0.2"))

            let current = try cli.array("usage")
            #expect(current.count == 2)
            let unknown = cli.run("usage", "--tenant", "nobody")
            #expect(unknown.status == 1)
        }
    }

    @Test func jsonIsAcceptedAnywhereOnTheLine() throws {
        try TestDatabase.with { url in
            let cli = CLI(databaseURL: url)
            _ = try createPlan(cli, "gold")
            for words in [["--json", "plan", "list"], ["plan", "--json", "list"], ["plan", "list", "--json"]] {
                let outcome = cli.run(words)
                #expect(outcome.status == 0)
                #expect(try JSONSerialization.jsonObject(with: Data(outcome.out.utf8)) is [Any])
            }
        }
    }

    @Test func databaseURLFlagBeatsTheEnvironment() throws {
        try TestDatabase.with { url in
            var cli = CLI(databaseURL: "postgresql://nobody@127.0.0.1:1/unreachable")
            #expect(cli.run("plan", "list").status == 1)
            #expect(cli.run("plan", "list", "--database-url", url).status == 0)
            cli.environment = [:]
            #expect(cli.run("--database-url=\(url)", "plan", "list").lines == ["No plans."])
        }
    }

    private func createPlan(_ cli: CLI, _ name: String) throws -> String {
        let created = try cli.object(
            "plan", "create", "--name", name, "--burst-rps", "10", "--rpm", "600", "--monthly-quota", "100000",
            "--enforcement", "hard")
        return try #require(created["id"] as? String)
    }
}
