import AegisCore
import AegisStore

enum TenantCommands {
    private static let tenant = Arguments.Positional("TENANT", help: "the tenant's id or name")

    static let commands = [
        Command(
            words: ["tenant", "create"], summary: "Create a tenant on a plan",
            usage: "tenant create --name NAME --plan PLAN", details: "With --json, prints {\"id\": \"...\"}.",
            options: [
                .value("name", "NAME", help: "a unique name"), .value("plan", "PLAN", help: "the plan's id or name"),
            ],
            action: create),
        Command(words: ["tenant", "list"], summary: "List tenants", usage: "tenant list", action: list),
        Command(
            words: ["tenant", "suspend"], summary: "Deny every request with the tenant's keys",
            usage: "tenant suspend TENANT", details: "Running daemons apply it at once.", positionals: [tenant],
            action: { try setStatus($0, .suspended) }),
        Command(
            words: ["tenant", "activate"], summary: "Honour the tenant's keys again", usage: "tenant activate TENANT",
            details: "Running daemons apply it at once.", positionals: [tenant],
            action: { try setStatus($0, .active) }),
        Command(
            words: ["tenant", "set-plan"], summary: "Move a tenant to another plan",
            usage: "tenant set-plan TENANT PLAN",
            details: "Running daemons apply the new limits at once.",
            positionals: [tenant, .init("PLAN", help: "the plan's id or name")], action: setPlan),
    ]

    private static func create(_ invocation: Invocation) throws {
        let name = try invocation.arguments.requiredValue("name")
        let plan = try invocation.arguments.requiredValue("plan")
        let tenant = try invocation.store().createTenant(name: name, plan: plan)
        invocation.output(
            json: ["id": tenant.id], text: ["Created tenant \(tenant.name) (\(tenant.id)) on plan \(tenant.planName)."])
    }

    private static func list(_ invocation: Invocation) throws {
        let tenants = try invocation.store().listTenants()
        var table = TextTable("ID", "NAME", "STATUS", "PLAN", "CREATED")
        for tenant in tenants {
            table.add(tenant.id, tenant.name, tenant.status.rawValue, tenant.planName, JSONText.date(tenant.createdAt))
        }
        invocation.output(json: tenants.map(json), text: tenants.isEmpty ? ["No tenants."] : table.lines)
    }

    private static func setStatus(_ invocation: Invocation, _ status: TenantStatus) throws {
        let tenant = try invocation.store().setTenantStatus(invocation.arguments.positionals[0], status)
        let verb = status == .active ? "Activated" : "Suspended"
        invocation.output(json: json(tenant), text: ["\(verb) tenant \(tenant.name) (\(tenant.id))."])
    }

    private static func setPlan(_ invocation: Invocation) throws {
        let positionals = invocation.arguments.positionals
        let tenant = try invocation.store().setTenantPlan(positionals[0], plan: positionals[1])
        invocation.output(
            json: json(tenant), text: ["Moved tenant \(tenant.name) (\(tenant.id)) to plan \(tenant.planName)."])
    }

    static func json(_ tenant: TenantRecord) -> [String: Any] {
        [
            "id": tenant.id, "name": tenant.name, "status": tenant.status.rawValue, "plan_id": tenant.planID,
            "plan": tenant.planName, "created_at": JSONText.date(tenant.createdAt),
        ]
    }
}
