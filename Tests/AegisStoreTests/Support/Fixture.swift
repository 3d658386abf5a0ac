import AegisCore
import AegisStore
import AegisTestSupport

/// A plan, a tenant on it and one key, with names unique to the test.
struct Fixture {
    var plan: PlanRecord
    var tenant: TenantRecord
    var key: CreatedKey

    init(
        _ store: Store,
        plan limits: Plan = Plan(burstRPS: 10, sustainedRPM: 600, monthlyQuota: 100_000, enforcement: .hard)
    ) throws {
        let suffix = UUIDSuffix.make()
        plan = try store.createPlan(name: "plan-\(suffix)", plan: limits)
        tenant = try store.createTenant(name: "tenant-\(suffix)", plan: plan.name)
        key = try store.createKey(tenant: tenant.id)
    }
}
