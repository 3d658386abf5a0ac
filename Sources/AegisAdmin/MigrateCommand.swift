import AegisStore

enum MigrateCommand {
    static let commands = [
        Command(
            words: ["migrate"], summary: "Create or update the database schema", usage: "migrate",
            details: """
                Applies the migrations the database has not seen, each in its own transaction. Safe to run
                again, and safe when several run at once: they take turns.
                """,
            action: run)
    ]

    private static func run(_ invocation: Invocation) throws {
        let store = try invocation.store()
        let applied = try store.migrate()
        let version = try store.appliedMigrationVersions().last ?? 0
        invocation.output(
            json: [
                "applied": applied.map { ["version": $0.version, "name": $0.name] as [String: Any] },
                "version": version,
            ] as [String: Any],
            text: applied.isEmpty
                ? ["The schema is up to date (version \(version))."]
                : applied.map { "Applied \($0.name)." } + ["The schema is at version \(version)."])
    }
}
