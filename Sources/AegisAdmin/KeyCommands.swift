import AegisCore
import AegisStore

enum KeyCommands {
    static let commands = [
        Command(
            words: ["key", "create"], summary: "Make an API key for a tenant and print it once",
            usage: "key create --tenant TENANT",
            details: """
                The raw key is printed once and never stored: only its SHA-256 and its first eight characters
                are kept. With --json, prints {"id", "key", "tenant_id", "prefix"}.
                """,
            options: [.value("tenant", "TENANT", help: "the tenant's id or name")], action: create),
        Command(
            words: ["key", "list"], summary: "List API keys (prefixes only)", usage: "key list [--tenant TENANT]",
            options: [.value("tenant", "TENANT", help: "only this tenant's keys (id or name)")], action: list),
        Command(
            words: ["key", "revoke"], summary: "Revoke an API key", usage: "key revoke KEY_ID",
            details: "Running daemons refuse the key at once. Revoking a revoked key changes nothing.",
            positionals: [.init("KEY_ID", help: "the key's id, as `key list` shows it")], action: revoke),
    ]

    private static func create(_ invocation: Invocation) throws {
        let created = try invocation.store().createKey(tenant: invocation.arguments.requiredValue("tenant"))
        let info = created.info
        invocation.output(
            json: ["id": info.id, "key": created.rawKey, "tenant_id": info.tenantID, "prefix": info.prefix],
            text: [
                "Created key \(info.id) for tenant \(info.tenantName). It is shown only this once:",
                created.rawKey,
            ])
    }

    private static func list(_ invocation: Invocation) throws {
        let keys = try invocation.store().listKeys(tenant: invocation.arguments.value("tenant"))
        var table = TextTable("ID", "PREFIX", "TENANT", "CREATED", "REVOKED")
        for key in keys {
            table.add(
                key.id, key.prefix, key.tenantName, JSONText.date(key.createdAt),
                key.revokedAt.map { JSONText.date($0) } ?? "-")
        }
        invocation.output(json: keys.map(json), text: keys.isEmpty ? ["No keys."] : table.lines)
    }

    private static func revoke(_ invocation: Invocation) throws {
        let (key, revokedNow) = try invocation.store().revokeKey(invocation.arguments.positionals[0])
        var object = json(key)
        object["already_revoked"] = !revokedNow
        let text =
            revokedNow
            ? "Revoked key \(key.id) (\(key.prefix)…) of tenant \(key.tenantName)."
            : "Key \(key.id) was already revoked at \(key.revokedAt.map { JSONText.date($0) } ?? "?")."
        invocation.output(json: object, text: [text])
    }

    static func json(_ key: KeyInfo) -> [String: Any] {
        [
            "id": key.id, "prefix": key.prefix, "tenant_id": key.tenantID, "tenant": key.tenantName,
            "created_at": JSONText.date(key.createdAt), "revoked_at": JSONText.date(key.revokedAt),
        ]
    }
}
