import AegisCore
import Testing

@Suite struct ArgumentsTests {
    let options: [Arguments.Option] = [
        .value("name", "N"), .value("rpm", "N"), .flag("force"), .flag("help", short: "h"),
    ]

    @Test func readsSpacedAndInlineValuesFlagsAndPositionals() throws {
        let parsed = try Arguments(
            ["acme", "--name", "gold", "--rpm=60", "--force"], options: options,
            positionals: [.init("TENANT")])
        #expect(parsed.value("name") == "gold")
        #expect(parsed.value("rpm") == "60")
        #expect(parsed.flag("force"))
        #expect(!parsed.flag("help"))
        #expect(parsed.positionals == ["acme"])
        #expect(parsed.positional("TENANT") == "acme")
    }

    @Test func inlineValueMayBeEmptyOrContainEquals() throws {
        let parsed = try Arguments(["--name=", "--rpm=a=b"], options: options)
        #expect(parsed.value("name") == "")
        #expect(parsed.value("rpm") == "a=b")
    }

    @Test func shortFlagAndNegativeNumberValue() throws {
        let parsed = try Arguments(["-h", "--rpm", "-5"], options: options)
        #expect(parsed.flag("help"))
        #expect(parsed.value("rpm") == "-5")
        #expect(throws: ArgumentError("--rpm must be at least 1, not -5")) {
            try parsed.integer("rpm", in: 1...Int64.max)
        }
    }

    @Test func doubleDashEndsOptions() throws {
        let parsed = try Arguments(
            ["--", "--name"], options: options, positionals: [.init("WORD")])
        #expect(parsed.positionals == ["--name"])
        #expect(parsed.value("name") == nil)
    }

    @Test func optionalPositionalMayBeLeftOut() throws {
        let spec: [Arguments.Positional] = [.init("A"), .init("B", optional: true)]
        #expect(try Arguments(["x"], options: [], positionals: spec).positional("B") == nil)
        #expect(try Arguments(["x", "y"], options: [], positionals: spec).positional("B") == "y")
    }

    @Test(arguments: [
        (["--colour", "red"], "unknown option --colour"),
        (["-x"], "unknown option -x"),
        (["--name"], "--name needs a value"),
        (["--name", "--force"], "--name needs a value"),
        (["--name", "a", "--name", "b"], "--name given more than once"),
        (["--name=a", "--name=b"], "--name given more than once"),
        (["--force", "--force"], "--force given more than once"),
        (["--force=yes"], "--force takes no value"),
        (["a", "b"], "unexpected argument 'b'"),
    ])
    func rejectsBadLines(arguments: [String], message: String) {
        #expect(throws: ArgumentError(message)) {
            try Arguments(arguments, options: options, positionals: [.init("TENANT", optional: true)])
        }
    }

    @Test func reportsMissingPositionalByName() {
        #expect(throws: ArgumentError("missing PLAN")) {
            try Arguments(["t1"], options: [], positionals: [.init("TENANT"), .init("PLAN")])
        }
    }

    @Test func integersAreCheckedForFormAndRange() throws {
        let parsed = try Arguments(["--name", "12x", "--rpm", "0"], options: options)
        #expect(throws: ArgumentError("--name must be a whole number, not '12x'")) {
            try parsed.integer("name", in: 0...10)
        }
        #expect(throws: ArgumentError("--rpm must be between 1 and 10, not 0")) {
            try parsed.integer("rpm", in: 1...10)
        }
        #expect(try parsed.integer("force", in: 0...1) == nil)
        #expect(
            try Arguments(["--rpm", "9223372036854775807"], options: options).integer("rpm", in: 0...Int64.max)
                == .max)
        #expect(throws: ArgumentError("--rpm must be a whole number, not '9223372036854775808'")) {
            try Arguments(["--rpm", "9223372036854775808"], options: options).integer("rpm", in: 0...Int64.max)
        }
    }

    @Test func requiredValueNamesTheMissingOption() throws {
        let parsed = try Arguments([], options: options)
        #expect(throws: ArgumentError("missing --name")) { try parsed.requiredValue("name") }
    }

    @Test func extractTakesGlobalOptionsFromAnywhereAndKeepsTheRestInOrder() throws {
        let globals: [Arguments.Option] = [.flag("json"), .value("database-url", "URL")]
        let (parsed, rest) = try Arguments.extract(
            globals,
            from: ["plan", "--json", "create", "--name", "x", "--database-url=postgres://h/db", "--", "--json"])
        #expect(parsed.flag("json"))
        #expect(parsed.value("database-url") == "postgres://h/db")
        #expect(rest == ["plan", "create", "--name", "x", "--", "--json"])
    }

    @Test func extractStillRejectsDuplicates() {
        #expect(throws: ArgumentError("--json given more than once")) {
            try Arguments.extract([.flag("json")], from: ["--json", "a", "--json"])
        }
    }

    @Test func describeAlignsHelp() {
        let text = Arguments.describe([
            .value("name", "N", help: "the name"), .flag("help", short: "h", help: "show help"),
        ])
        #expect(text == "  --name N    the name\n  -h, --help  show help")
    }
}
