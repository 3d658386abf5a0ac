import AegisCore
import AegisStore

/// One `aegis` subcommand: its words, its help, what it accepts, and what it does.
///
/// Commands are grouped in one file per noun (`PlanCommands.swift`, …) and listed in
/// ``CommandTable``; adding a command is adding a value there.
struct Command: Sendable {
    /// The words that name it: `["migrate"]` or `["plan", "create"]`.
    var words: [String]
    /// One line for the command list.
    var summary: String
    /// What follows `aegis` in the usage line, such as `plan update PLAN [--name NAME]`.
    var usage: String
    /// More to say in the command's own help, if anything.
    var details: String = ""
    var options: [Arguments.Option] = []
    var positionals: [Arguments.Positional] = []
    var action: @Sendable (Invocation) throws -> Void

    var name: String { words.joined(separator: " ") }
}

/// One run of a command: its parsed arguments, its settings, its output, and a store opened on
/// first use.
final class Invocation {
    let arguments: Arguments
    let settings: Settings
    let console: Console
    /// The status to exit with when the action returns normally; `check` sets 1 for a denial.
    var exitStatus = ExitStatus.success
    private var openedStore: Store?

    init(arguments: Arguments, settings: Settings, console: Console) {
        self.arguments = arguments
        self.settings = settings
        self.console = console
    }

    var json: Bool { settings.json }

    /// The store at `--database-url` or `DATABASE_URL`, connected on first use.
    /// - Throws: ``CommandLineError`` when neither is set, ``StoreError`` when it cannot connect.
    func store() throws -> Store {
        if let openedStore { return openedStore }
        guard let url = settings.databaseURL else {
            throw CommandLineError.usage("no database configured: pass --database-url or set DATABASE_URL")
        }
        let store = try Store(url: url)
        openedStore = store
        return store
    }

    /// Prints `json` with `--json`, else the text lines.
    func output(json: @autoclosure () -> Any, text: @autoclosure () -> [String]) {
        if self.json {
            console.json(json())
        } else {
            text().forEach(console.line)
        }
    }
}

/// A failure the command line reports, with the exit status it calls for.
struct CommandLineError: Error {
    var message: String
    var status: Int32
    /// The command that failed, named in the message.
    var command: String?

    /// The line asked for something impossible: exit status 2.
    static func usage(_ message: String) -> CommandLineError {
        CommandLineError(message: message, status: ExitStatus.usage)
    }

    /// The request was fine but could not be carried out: exit status 1.
    static func failure(_ message: String) -> CommandLineError {
        CommandLineError(message: message, status: ExitStatus.failure)
    }

    /// Classifies any error a command threw.
    init(_ error: any Error, command: String?) {
        switch error {
        case var error as CommandLineError:
            error.command = error.command ?? command
            self = error
        case let error as ArgumentError:
            let hint = command.map { " (see 'aegis \($0) --help')" } ?? ""
            self.init(message: error.message + hint, status: ExitStatus.usage, command: command)
        case let error as StoreError:
            let status = error.code == .invalidInput ? ExitStatus.usage : ExitStatus.failure
            self.init(message: error.message, status: status, command: command)
        default:
            self.init(message: "\(error)", status: ExitStatus.failure, command: command)
        }
    }

    private init(message: String, status: Int32, command: String? = nil) {
        self.message = message
        self.status = status
        self.command = command
    }

    /// The line printed on standard error.
    var line: String {
        guard let command else { return "aegis: \(message)" }
        return "aegis \(command): \(message)"
    }
}

/// `aegis` exit statuses.
public enum ExitStatus {
    public static let success: Int32 = 0
    /// The command ran and failed: not found, already exists, database unreachable.
    public static let failure: Int32 = 1
    /// The command line was wrong: unknown command or option, bad value, missing configuration.
    public static let usage: Int32 = 2
}
