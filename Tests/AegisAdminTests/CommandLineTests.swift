import AegisCore
import Foundation
import Testing

@testable import AegisAdmin

/// The command line's own behaviour: help, dispatch and argument errors. None of these reach a
/// database.
@Suite struct CommandLineTests {
    let cli = CLI()

    @Test(arguments: [["help"], ["--help"], ["-h"]])
    func overviewListsEveryCommand(_ words: [String]) {
        let outcome = cli.run(words)
        #expect(outcome.status == 0)
        #expect(outcome.err == "")
        #expect(outcome.out.hasPrefix("aegis: administer Aegis"))
        for command in CommandTable.all {
            #expect(outcome.out.contains("  \(command.name)  "), "\(command.name) is listed")
        }
        #expect(outcome.out.contains("--json"))
        #expect(outcome.out.contains("DATABASE_URL"))
    }

    @Test func noCommandPrintsTheOverviewAsAnError() {
        let outcome = cli.run([])
        #expect(outcome.status == 2)
        #expect(outcome.out == "")
        #expect(outcome.err.contains("Commands:"))
    }

    @Test func everyCommandHasHelpThreeWays() {
        for command in CommandTable.all {
            let byFlag = cli.run(command.words + ["--help"])
            #expect(byFlag.status == 0)
            #expect(byFlag.err == "")
            #expect(byFlag.out.hasPrefix("Usage: aegis \(command.name)"))
            #expect(byFlag.out.contains(command.summary))
            for option in command.options {
                #expect(byFlag.out.contains("--\(option.name)"), "\(command.name) documents --\(option.name)")
            }
            #expect(cli.run(["help"] + command.words).out == byFlag.out)
            #expect(cli.run(["--help"] + command.words).out == byFlag.out)
        }
    }

    @Test(arguments: ["plan", "tenant", "key"])
    func groupHelp(_ group: String) {
        let help = cli.run(group, "--help")
        #expect(help.status == 0)
        #expect(help.out.contains("aegis \(group) create"))
        #expect(cli.run("help", group).out == help.out)

        let bare = cli.run(group)
        #expect(bare.status == 2)
        #expect(bare.out == "")
        #expect(bare.err.hasPrefix("aegis \(group): which command?"))
        #expect(bare.err.contains("aegis \(group) list"))
    }

    @Test(arguments: [
        (["frobnicate"], "aegis: unknown command 'frobnicate'; run 'aegis help' for the commands"),
        (["plan", "destroy"], "aegis: unknown command 'plan destroy'; run 'aegis plan --help' for the commands"),
        (["help", "nothing"], "aegis: no help for 'nothing'; run 'aegis help' for the commands"),
        (["plan", "list", "--json", "--json"], "aegis: --json given more than once"),
        (["plan", "list", "--colour"], "aegis plan list: unknown option --colour (see 'aegis plan list --help')"),
        (["plan", "list", "extra"], "aegis plan list: unexpected argument 'extra' (see 'aegis plan list --help')"),
        (["tenant", "suspend"], "aegis tenant suspend: missing TENANT (see 'aegis tenant suspend --help')"),
        (
            ["tenant", "set-plan", "acme"],
            "aegis tenant set-plan: missing PLAN (see 'aegis tenant set-plan --help')"
        ),
        (["key", "create", "--tenant"], "aegis key create: --tenant needs a value (see 'aegis key create --help')"),
        (
            [
                "plan", "create", "--name", "x", "--burst-rps", "ten", "--rpm", "1", "--monthly-quota", "1",
                "--enforcement", "hard",
            ],
            "aegis plan create: --burst-rps must be a whole number, not 'ten' (see 'aegis plan create --help')"
        ),
        (
            [
                "plan", "create", "--name", "x", "--burst-rps", "1", "--rpm", "0", "--monthly-quota", "1",
                "--enforcement", "hard",
            ],
            "aegis plan create: --rpm must be between 1 and 2147483647, not 0 (see 'aegis plan create --help')"
        ),
        (
            [
                "plan", "create", "--name", "x", "--burst-rps", "1", "--rpm", "1", "--monthly-quota", "-1",
                "--enforcement", "hard",
            ],
            "aegis plan create: --monthly-quota must be at least 0, not -1 (see 'aegis plan create --help')"
        ),
        (
            [
                "plan", "create", "--name", "x", "--burst-rps", "1", "--rpm", "1", "--monthly-quota", "1",
                "--enforcement", "firm",
            ],
            "aegis plan create: --enforcement must be hard or soft, not 'firm' (see 'aegis plan create --help')"
        ),
        (
            ["plan", "create", "--name", "x", "--burst-rps", "1", "--rpm", "1", "--monthly-quota", "1"],
            "aegis plan create: missing --enforcement (see 'aegis plan create --help')"
        ),
        (
            ["plan", "update", "gold"],
            "aegis plan update: nothing to change: give at least one of --name, --burst-rps, --rpm, "
                + "--monthly-quota, --enforcement (see 'aegis plan update --help')"
        ),
        (
            ["usage", "--month", "2025-3"],
            "aegis usage: --month must be a month as YYYY-MM, such as 2025-03, not '2025-3' (see 'aegis usage --help')"
        ),
        (["plan", "list"], "aegis plan list: no database configured: pass --database-url or set DATABASE_URL"),
    ])
    func badLinesExitTwoWithOneClearLine(words: [String], message: String) {
        let outcome = cli.run(words)
        #expect(outcome.status == 2)
        #expect(outcome.out == "")
        #expect(outcome.err == message + "\n")
    }

    @Test func unreachableDatabaseFailsWithoutShowingThePassword() {
        let outcome = CLI(databaseURL: "postgresql://aegis:hunter2secret@127.0.0.1:1/aegis").run("plan", "list")
        #expect(outcome.status == 1)
        #expect(outcome.err.hasPrefix("aegis plan list: cannot connect to PostgreSQL"))
        #expect(!outcome.err.contains("hunter2secret"))
    }

    @Test func flagsBeatTheEnvironment() throws {
        let environment = ["DATABASE_URL": "a", "REDIS_URL": "b", "AEGIS_SOCKET": "c"]
        let fromEnvironment = try settings([], environment)
        #expect(fromEnvironment.databaseURL == "a")
        #expect(fromEnvironment.redisURL == "b")
        #expect(fromEnvironment.socketPath == "c")

        let fromFlags = try settings(["--database-url", "x", "--redis-url=y", "--socket", "z"], environment)
        #expect(fromFlags.databaseURL == "x")
        #expect(fromFlags.redisURL == "y")
        #expect(fromFlags.socketPath == "z")

        #expect(try settings([], ["DATABASE_URL": ""]).databaseURL == nil)
    }

    @Test func monthParsing() throws {
        #expect(try UsageCommand.parseMonth("2025-03") == (2025, 3))
        #expect(try UsageCommand.parseMonth("1999-12") == (1999, 12))
        let now = Date(timeIntervalSince1970: 1_767_225_599)  // 2025-12-31T23:59:59Z
        #expect(try UsageCommand.parseMonth(nil, now: now) == (2025, 12))
        for bad in ["2025-00", "2025-13", "25-03", "2025/03", "2025-3", "abcd-ef", "2025-03-01", "", "+202-03"] {
            #expect(throws: ArgumentError.self) { try UsageCommand.parseMonth(bad) }
        }
    }

    private func settings(_ words: [String], _ environment: [String: String]) throws -> Settings {
        Settings(try Arguments.extract(Settings.globalOptions, from: words).arguments, environment: environment)
    }
}
