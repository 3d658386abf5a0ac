import AegisCore
import AegisStore
import AegisTestSupport
import Testing

@Suite struct ChangeTests {
    @Test func everyChangeADaemonMustSeeIsLoggedAndAnnounced() throws {
        try TestDatabase.with { url in
            let store = try Store(url: url)
            let listener = try Store(url: url)
            try listener.listenForChanges()
            let fixture = try Fixture(store)
            let start = try store.latestChangeSeq()
            #expect(receive(listener) == ["key:\(fixture.key.info.id)"])

            let spare = try store.createPlan(
                name: "spare-\(UUIDSuffix.make())",
                plan: Plan(burstRPS: 1, sustainedRPM: 1, monthlyQuota: 1, enforcement: .hard))
            let tenant = fixture.tenant.id
            _ = try store.setTenantStatus(fixture.tenant.name, .suspended)
            #expect(receive(listener) == ["tenant:\(tenant)"])
            _ = try store.setTenantStatus(fixture.tenant.name, .active)
            #expect(receive(listener) == ["tenant:\(tenant)"])
            _ = try store.setTenantPlan(fixture.tenant.name, plan: spare.name)
            #expect(receive(listener) == ["tenant:\(tenant)"])
            _ = try store.updatePlan(spare.id, PlanChanges(monthlyQuota: 50))
            #expect(receive(listener) == ["plan:\(spare.id)"])
            let created = try store.createKey(tenant: tenant)
            #expect(receive(listener) == ["key:\(created.info.id)"])
            _ = try store.revokeKey(created.info.id)
            #expect(receive(listener) == ["key:\(created.info.id)"])

            let changes = try store.changes(after: start)
            #expect(changes.map(\.kind) == ["tenant", "tenant", "tenant", "plan", "key", "key"])
            #expect(changes.map(\.target) == [tenant, tenant, tenant, spare.id, created.info.id, created.info.id])
            #expect(changes.map(\.seq) == changes.map(\.seq).sorted())
            #expect(try store.latestChangeSeq() == changes.last?.seq)
        }
    }

    @Test func creatingPlansAndTenantsAnnouncesNothing() throws {
        try TestDatabase.with { url in
            let store = try Store(url: url)
            let listener = try Store(url: url)
            try listener.listenForChanges()
            let plan = try store.createPlan(
                name: "quiet-\(UUIDSuffix.make())",
                plan: Plan(burstRPS: 1, sustainedRPM: 1, monthlyQuota: 1, enforcement: .hard))
            _ = try store.createTenant(name: "quiet-\(UUIDSuffix.make())", plan: plan.id)
            #expect(listener.waitForNotification(timeoutSeconds: 0.3).isEmpty)
            #expect(try store.latestChangeSeq() == 0)
        }
    }

    @Test func failedChangesAreNeitherLoggedNorAnnounced() throws {
        try TestDatabase.with { url in
            let store = try Store(url: url)
            let listener = try Store(url: url)
            let fixture = try Fixture(store)
            try listener.listenForChanges()
            let before = try store.latestChangeSeq()

            #expect(throws: StoreError.self) { try store.setTenantPlan(fixture.tenant.id, plan: "no-such-plan") }
            #expect(throws: StoreError.self) { try store.updatePlan(fixture.plan.id, PlanChanges(burstRPS: 0)) }
            #expect(listener.waitForNotification(timeoutSeconds: 0.3).isEmpty)
            #expect(try store.latestChangeSeq() == before)
        }
    }

    @Test func changesArePagedByLimit() throws {
        try TestDatabase.with { url in
            let store = try Store(url: url)
            let fixture = try Fixture(store)
            for _ in 0..<5 { _ = try store.setTenantStatus(fixture.tenant.id, .active) }
            let first = try store.changes(after: 0, limit: 4)
            #expect(first.count == 4)
            let rest = try store.changes(after: first.last!.seq, limit: 4)
            #expect(rest.count == 2)
            #expect(try store.changes(after: rest.last!.seq).isEmpty)
        }
    }

    /// The payloads that arrive within a few seconds, stopping once none came for a moment.
    private func receive(_ listener: Store) -> [String] {
        var payloads = listener.waitForNotification(timeoutSeconds: 5)
        while true {
            let more = listener.waitForNotification(timeoutSeconds: 0.1)
            if more.isEmpty { return payloads }
            payloads += more
        }
    }
}
