import AegisCore
import AegisStore
import AegisTestSupport
import Testing

@Suite struct LookupTests {
    @Test func keyHashFindsKeyTenantAndPlanInOneCall() throws {
        try TestDatabase.with { url in
            let store = try Store(url: url)
            let limits = Plan(burstRPS: 7, sustainedRPM: 70, monthlyQuota: 7_000, enforcement: .soft)
            let fixture = try Fixture(store, plan: limits)
            let other = try store.createKey(tenant: fixture.tenant.name)
            let hash = APIKey.hash(fixture.key.rawKey)
            let otherHash = APIKey.hash(other.rawKey)
            let unknown = APIKey.hash("ak_not-a-real-key")

            let found = try store.lookupKeys(hashes: [hash, otherHash, unknown, "not hex at all \" ' \\"])
            #expect(found.count == 2)
            #expect(
                found[hash]
                    == KeyRecord(
                        keyID: fixture.key.info.id, tenantID: fixture.tenant.id, tenantActive: true,
                        planID: fixture.plan.id, plan: limits))
            #expect(found[otherHash]?.keyID == other.info.id)
            #expect(found[unknown] == nil)
        }
    }

    @Test func revokedKeysAreAbsentAndSuspendedTenantsAreMarked() throws {
        try TestDatabase.with { url in
            let store = try Store(url: url)
            let fixture = try Fixture(store)
            let hash = APIKey.hash(fixture.key.rawKey)

            _ = try store.setTenantStatus(fixture.tenant.name, .suspended)
            #expect(try store.lookupKeys(hashes: [hash])[hash]?.tenantActive == false)

            _ = try store.revokeKey(fixture.key.info.id)
            #expect(try store.lookupKeys(hashes: [hash]).isEmpty)
        }
    }

    @Test func planChangesShowInTheNextLookup() throws {
        try TestDatabase.with { url in
            let store = try Store(url: url)
            let fixture = try Fixture(store)
            let hash = APIKey.hash(fixture.key.rawKey)
            let gold = try store.createPlan(
                name: "gold-\(UUIDSuffix.make())",
                plan: Plan(burstRPS: 100, sustainedRPM: 6_000, monthlyQuota: 0, enforcement: .soft))

            _ = try store.setTenantPlan(fixture.tenant.id, plan: gold.id)
            #expect(try store.lookupKeys(hashes: [hash])[hash]?.planID == gold.id)

            _ = try store.updatePlan(gold.name, PlanChanges(burstRPS: 5))
            #expect(try store.lookupKeys(hashes: [hash])[hash]?.plan.burstRPS == 5)
        }
    }

    @Test func noHashesNeedNoQuery() throws {
        try TestDatabase.with { url in
            let store = try Store(url: url)
            #expect(try store.lookupKeys(hashes: []).isEmpty)
        }
    }

    @Test func aThousandHashesInOneLookup() throws {
        try TestDatabase.with { url in
            let store = try Store(url: url)
            let fixture = try Fixture(store)
            var hashes = (0..<999).map { APIKey.hash("ak_unknown_\($0)") }
            hashes.append(APIKey.hash(fixture.key.rawKey))
            #expect(try store.lookupKeys(hashes: hashes).count == 1)
        }
    }

    @Test func monthlyUsageIsZeroWhenNothingIsRecorded() throws {
        try TestDatabase.with { url in
            let store = try Store(url: url)
            let fixture = try Fixture(store)
            #expect(try store.monthlyUsage(tenantID: fixture.tenant.id, year: 2030, month: 1) == 0)
        }
    }

    @Test func monthlyUsageRejectsBadInput() throws {
        try TestDatabase.with { url in
            let store = try Store(url: url)
            let notAnID = #expect(throws: StoreError.self) {
                try store.monthlyUsage(tenantID: "acme", year: 2030, month: 1)
            }
            #expect(notAnID?.code == .invalidInput)
            let badMonth = #expect(throws: StoreError.self) {
                try store.monthlyUsage(tenantID: UUIDv7.next().description, year: 2030, month: 13)
            }
            #expect(badMonth?.code == .invalidInput)
        }
    }
}
