/// Every `aegis` command, in the order help lists them.
enum CommandTable {
    static let all: [Command] =
        MigrateCommand.commands + PlanCommands.commands + TenantCommands.commands + KeyCommands.commands
        + UsageCommand.commands + DaemonCommands.commands

    /// One line per command group, for help.
    static let groups: [String: String] = [
        "plan": "Plans: the limits tenants are held to",
        "tenant": "Tenants: the customers keys belong to",
        "key": "API keys",
    ]

    /// The command these words name, and the words after them.
    static func find(_ words: [String]) -> (command: Command, rest: [String])? {
        for command in all where words.starts(with: command.words) {
            return (command, Array(words.dropFirst(command.words.count)))
        }
        return nil
    }

    /// The commands whose first word is `group`.
    static func commands(in group: String) -> [Command] {
        all.filter { $0.words.count > 1 && $0.words[0] == group }
    }
}
