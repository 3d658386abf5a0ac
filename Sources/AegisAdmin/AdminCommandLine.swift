import AegisCore
import AegisStore

/// The `aegis` admin command line, callable in-process so tests can capture what it prints.
public enum AdminCommandLine {
    /// Runs one `aegis` command line.
    /// - Parameters:
    ///   - arguments: the words after `aegis`.
    ///   - environment: supplies `DATABASE_URL`, `REDIS_URL` and `AEGIS_SOCKET` when no flag does.
    ///   - console: where output and error messages go.
    /// - Returns: the exit status (see ``ExitStatus``).
    public static func run(_ arguments: [String], environment: [String: String], console: Console) -> Int32 {
        do {
            return try dispatch(arguments, environment: environment, console: console)
        } catch {
            let failure = CommandLineError(error, command: nil)
            console.problem(failure.line)
            return failure.status
        }
    }

    /// Runs one `aegis` command line, writing into text streams once it has finished.
    public static func run(
        _ arguments: [String], environment: [String: String], stdout: inout some TextOutputStream,
        stderr: inout some TextOutputStream
    ) -> Int32 {
        var out = ""
        var err = ""
        let status = run(arguments, environment: environment, console: Console(out: { out += $0 }, err: { err += $0 }))
        stdout.write(out)
        stderr.write(err)
        return status
    }

    private static func dispatch(_ line: [String], environment: [String: String], console: Console) throws -> Int32 {
        let (globals, words) = try Arguments.extract(Settings.globalOptions, from: line)
        let settings = Settings(globals, environment: environment)

        guard let first = words.first else {
            if settings.help { return show(Help.overview(), on: console) }
            Help.overview().forEach(console.problem)
            return ExitStatus.usage
        }
        if first == "help" {
            return try help(for: Array(words.dropFirst()), console: console)
        }
        guard let (command, rest) = CommandTable.find(words) else {
            return try missingCommand(words, settings: settings, console: console)
        }
        if settings.help {
            return show(Help.command(command), on: console)
        }

        do {
            let arguments = try Arguments(rest, options: command.options, positionals: command.positionals)
            let invocation = Invocation(arguments: arguments, settings: settings, console: console)
            try command.action(invocation)
            return invocation.exitStatus
        } catch {
            throw CommandLineError(error, command: command.name)
        }
    }

    /// `aegis help [GROUP [COMMAND]]`.
    private static func help(for topic: [String], console: Console) throws -> Int32 {
        if topic.isEmpty { return show(Help.overview(), on: console) }
        if let (command, rest) = CommandTable.find(topic), rest.isEmpty {
            return show(Help.command(command), on: console)
        }
        if topic.count == 1, !CommandTable.commands(in: topic[0]).isEmpty {
            return show(Help.group(topic[0]), on: console)
        }
        throw CommandLineError.usage("no help for '\(topic.joined(separator: " "))'; run 'aegis help' for the commands")
    }

    /// Words that name a group without a known command, or nothing known at all.
    private static func missingCommand(_ words: [String], settings: Settings, console: Console) throws -> Int32 {
        let group = words[0]
        guard !CommandTable.commands(in: group).isEmpty else {
            throw CommandLineError.usage("unknown command '\(group)'; run 'aegis help' for the commands")
        }
        if words.count == 1 || words[1].hasPrefix("-") {
            if settings.help { return show(Help.group(group), on: console) }
            console.problem("aegis \(group): which command?")
            Help.group(group).forEach(console.problem)
            return ExitStatus.usage
        }
        throw CommandLineError.usage(
            "unknown command '\(group) \(words[1])'; run 'aegis \(group) --help' for the commands")
    }

    private static func show(_ lines: [String], on console: Console) -> Int32 {
        lines.forEach(console.line)
        return ExitStatus.success
    }
}
