import AegisCore
import AegisPostgres
import AegisStore
import AegisTestSupport
import Foundation
import Testing

@Suite struct AdministrationTests {
    let limits = Plan(burstRPS: 5, sustainedRPM: 100, monthlyQuota: 1_000, enforcement: .hard)

    @Test func plansAndTenantsAreFoundByIdOrName() throws {
        try TestDatabase.with { url in
            let store = try Store(url: url)
            let plan = try store.createPlan(name: "basic", plan: limits)
            #expect(UUIDv7(plan.id) != nil)
            #expect(try store.plan("basic") == plan)
            #expect(try store.plan(plan.id) == plan)

            let tenant = try store.createTenant(name: "acme", plan: plan.id)
            #expect(tenant.status == .active)
            #expect(tenant.planName == "basic")
            #expect(try store.tenant("acme") == tenant)
            #expect(try store.tenant(tenant.id.uppercased()).id == tenant.id)

            let missing = #expect(throws: StoreError.self) { try store.tenant("nobody") }
            #expect(missing?.code == .notFound)
            #expect(missing?.message == "no tenant is named 'nobody'")
        }
    }

    @Test func namesAreUniqueAndChecked() throws {
        try TestDatabase.with { url in
            let store = try Store(url: url)
            let plan = try store.createPlan(name: "basic", plan: limits)
            let taken = #expect(throws: StoreError.self) { try store.createPlan(name: "basic", plan: limits) }
            #expect(taken?.code == .alreadyExists)
            #expect(taken?.message == "a plan named 'basic' already exists")

            _ = try store.createTenant(name: "acme", plan: "basic")
            let tenantTaken = #expect(throws: StoreError.self) { try store.createTenant(name: "acme", plan: "basic") }
            #expect(tenantTaken?.code == .alreadyExists)

            for bad in ["", " padded", "tab\there", String(repeating: "x", count: 101), UUIDv7.next().description] {
                let error = #expect(throws: StoreError.self) { try store.createTenant(name: bad, plan: plan.id) }
                #expect(error?.code == .invalidInput)
            }
            #expect(try store.listTenants().count == 1)
        }
    }

    @Test func planUpdatesChangeOnlyWhatIsGiven() throws {
        try TestDatabase.with { url in
            let store = try Store(url: url)
            let plan = try store.createPlan(name: "basic", plan: limits)
            let updated = try store.updatePlan("basic", PlanChanges(name: "standard", sustainedRPM: 200))
            #expect(updated.id == plan.id)
            #expect(updated.name == "standard")
            #expect(updated.plan == Plan(burstRPS: 5, sustainedRPM: 200, monthlyQuota: 1_000, enforcement: .hard))

            let nothing = #expect(throws: StoreError.self) { try store.updatePlan("standard", PlanChanges()) }
            #expect(nothing?.code == .invalidInput)
            let badQuota = #expect(throws: StoreError.self) {
                try store.updatePlan("standard", PlanChanges(monthlyQuota: -1))
            }
            #expect(badQuota?.code == .invalidInput)

            _ = try store.createPlan(name: "other", plan: limits)
            let clash = #expect(throws: StoreError.self) {
                try store.updatePlan("other", PlanChanges(name: "standard"))
            }
            #expect(clash?.code == .alreadyExists)
            #expect(try store.listPlans().map(\.name) == ["standard", "other"])
        }
    }

    @Test func keysStoreOnlyTheirHashAndPrefix() throws {
        try TestDatabase.with { url in
            let store = try Store(url: url)
            _ = try store.createPlan(name: "basic", plan: limits)
            let tenant = try store.createTenant(name: "acme", plan: "basic")
            let created = try store.createKey(tenant: "acme")
            #expect(created.info.tenantID == tenant.id)
            #expect(created.info.prefix == String(created.rawKey.prefix(8)))
            #expect(!"\(created)".contains(created.rawKey))

            let stored = try store.connection.execute("SELECT key_hash, prefix FROM api_keys")
            #expect(stored.rows[0].values == [APIKey.hash(created.rawKey), created.info.prefix])
            let everything = try store.connection.execute("SELECT row_to_json(k)::text FROM api_keys k")
            #expect(try !everything.rows[0].string(0).contains(created.rawKey))
        }
    }

    @Test func revokingTwiceIsHarmless() throws {
        try TestDatabase.with { url in
            let store = try Store(url: url)
            let fixture = try Fixture(store)
            let first = try store.revokeKey(fixture.key.info.id)
            #expect(first.revokedNow)
            #expect(first.key.isRevoked)
            let second = try store.revokeKey(fixture.key.info.id)
            #expect(!second.revokedNow)
            #expect(second.key.revokedAt == first.key.revokedAt)

            let notAnID = #expect(throws: StoreError.self) { try store.revokeKey("ak_abc") }
            #expect(notAnID?.code == .invalidInput)
            let unknown = #expect(throws: StoreError.self) { try store.revokeKey(UUIDv7.next().description) }
            #expect(unknown?.code == .notFound)
        }
    }

    @Test func usageListsEveryTenantForTheMonth() throws {
        try TestDatabase.with { url in
            let store = try Store(url: url)
            let busy = try Fixture(store)
            let idle = try store.createTenant(name: "idle-\(UUIDSuffix.make())", plan: busy.plan.id)
            try store.ingest([
                LogRecord(
                    id: UUIDv7.next().description, at: 0, tenantID: busy.tenant.id, reason: .ok, status: 200,
                    quotaMonth: 202_902, quotaUsed: 42)
            ])

            let all = try store.usage(year: 2029, month: 2)
            #expect(Set(all.map(\.tenantID)) == [busy.tenant.id, idle.id])
            let busyUsage = try #require(all.first { $0.tenantID == busy.tenant.id })
            #expect(busyUsage.requestsUsed == 42)
            #expect(busyUsage.monthlyQuota == 100_000)
            #expect(busyUsage.updatedAt != nil)
            #expect(all.first { $0.tenantID == idle.id }?.requestsUsed == 0)

            #expect(try store.usage(tenant: idle.name, year: 2029, month: 2).map(\.requestsUsed) == [0])
            #expect(try store.usage(tenant: busy.tenant.id, year: 2029, month: 3).map(\.requestsUsed) == [0])
        }
    }
}
