import AegisCore

/// The text `aegis help` and `--help` print.
enum Help {
    static func overview() -> [String] {
        let width = CommandTable.all.map(\.name.count).max() ?? 0
        let commands = CommandTable.all.map { command in
            "  " + command.name + String(repeating: " ", count: width - command.name.count) + "  " + command.summary
        }
        return [
            "aegis: administer Aegis (plans, tenants, API keys and usage in PostgreSQL)",
            "",
            "Usage: aegis COMMAND [ARGUMENTS] [OPTIONS]",
            "",
            "Commands:",
        ] + commands + [
            "",
            "Options for every command:",
            Arguments.describe(Settings.globalOptions),
            "",
            "Run 'aegis COMMAND --help' for a command's own options.",
        ]
    }

    static func group(_ name: String) -> [String] {
        let commands = CommandTable.commands(in: name)
        let width = commands.map(\.name.count).max() ?? 0
        return ["\(CommandTable.groups[name] ?? name)", "", "Commands:"]
            + commands.map { command in
                "  aegis " + command.name + String(repeating: " ", count: width - command.name.count) + "  "
                    + command.summary
            } + ["", "Run 'aegis \(name) COMMAND --help' for a command's options."]
    }

    static func command(_ command: Command) -> [String] {
        var lines = ["Usage: aegis \(command.usage)", "", command.summary + "."]
        if !command.details.isEmpty {
            lines += ["", command.details.trimmingTrailingNewlines]
        }
        let positionals = command.positionals.filter { !$0.help.isEmpty }
        if !positionals.isEmpty {
            let width = positionals.map(\.name.count).max() ?? 0
            lines += ["", "Arguments:"]
            lines += positionals.map {
                "  \($0.name)" + String(repeating: " ", count: width - $0.name.count) + "  \($0.help)"
            }
        }
        if !command.options.isEmpty {
            lines += ["", "Options:", Arguments.describe(command.options)]
        }
        lines += ["", "Options for every command:", Arguments.describe(Settings.globalOptions)]
        return lines
    }
}

extension String {
    fileprivate var trimmingTrailingNewlines: String {
        var text = self
        while text.last == "\n" { text.removeLast() }
        return text
    }
}
