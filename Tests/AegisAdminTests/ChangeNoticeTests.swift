import AegisCore
import AegisStore
import AegisTestSupport
import Testing

/// Each command a running daemon must react to announces itself on `aegis_changes`.
@Suite struct ChangeNoticeTests {
    @Test func everyChangingCommandNotifiesWithItsTarget() throws {
        try TestDatabase.with { url in
            let cli = CLI(databaseURL: url)
            let listener = try Store(url: url)
            try listener.listenForChanges()

            let plan = try id(
                cli.object(
                    "plan", "create", "--name", "gold", "--burst-rps", "1", "--rpm", "1", "--monthly-quota", "1",
                    "--enforcement", "hard"))
            _ = try cli.object(
                "plan", "create", "--name", "silver", "--burst-rps", "1", "--rpm", "1", "--monthly-quota", "1",
                "--enforcement", "soft")
            let tenant = try id(cli.object("tenant", "create", "--name", "acme", "--plan", "gold"))
            #expect(drain(listener).isEmpty, "creating plans and tenants changes nothing a daemon holds")

            let key = try id(cli.object("key", "create", "--tenant", "acme"))
            #expect(drain(listener) == ["key:\(key)"])
            let steps: [([String], String)] = [
                (["tenant", "suspend", "acme"], "tenant:\(tenant)"),
                (["tenant", "activate", "acme"], "tenant:\(tenant)"),
                (["tenant", "set-plan", "acme", "silver"], "tenant:\(tenant)"),
                (["plan", "update", "gold", "--burst-rps", "2"], "plan:\(plan)"),
                (["key", "revoke", key], "key:\(key)"),
            ]
            for (words, payload) in steps {
                #expect(cli.run(words).status == 0)
                #expect(drain(listener) == [payload], "\(words.joined(separator: " "))")
            }

            // Failed commands announce nothing.
            #expect(cli.run("tenant", "set-plan", "acme", "bronze").status == 1)
            #expect(cli.run("plan", "update", "gold", "--name", "silver").status == 1)
            #expect(drain(listener).isEmpty)
        }
    }

    private func id(_ object: [String: Any]) throws -> String {
        try #require(object["id"] as? String)
    }

    /// Every notice that arrives before the channel stays quiet for a moment. A notice is sent at
    /// commit, before the command returns, so it is already on its way when this starts.
    private func drain(_ listener: Store) -> [String] {
        var payloads = listener.waitForNotification(timeoutSeconds: 1)
        while true {
            let more = listener.waitForNotification(timeoutSeconds: 0.2)
            if more.isEmpty { return payloads }
            payloads += more
        }
    }
}
