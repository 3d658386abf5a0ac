/// A parsed command line: `--flag value`, `--flag=value`, boolean flags, positionals, and `--`
/// to end the options.
///
/// A command declares what it accepts; anything else is an ``ArgumentError`` with a message fit
/// for a user. Options that may appear anywhere on a line (such as `--json`) are taken out first
/// with ``extract(_:from:)``, leaving the rest for the command.
public struct Arguments: Sendable, Equatable {
    /// A named option.
    public struct Option: Sendable, Equatable {
        /// The long name without its dashes, such as `burst-rps`.
        public var name: String
        /// A one-letter alias used as `-h`.
        public var short: Character?
        /// The value's placeholder in help text; `nil` for a boolean flag.
        public var placeholder: String?
        public var help: String

        /// An option that takes a value: `--name VALUE` or `--name=VALUE`.
        public static func value(_ name: String, _ placeholder: String = "VALUE", help: String = "") -> Option {
            Option(name: name, short: nil, placeholder: placeholder, help: help)
        }

        /// A boolean flag: present or not.
        public static func flag(_ name: String, short: Character? = nil, help: String = "") -> Option {
            Option(name: name, short: short, placeholder: nil, help: help)
        }

        public var takesValue: Bool { placeholder != nil }
    }

    /// A positional argument, named for messages and help (`PLAN`, `KEY_ID`).
    public struct Positional: Sendable, Equatable {
        public var name: String
        public var isOptional: Bool
        public var help: String

        public init(_ name: String, optional: Bool = false, help: String = "") {
            self.name = name
            self.isOptional = optional
            self.help = help
        }
    }

    /// The positionals in order.
    public private(set) var positionals: [String] = []
    private var positionalNames: [String] = []
    private var values: [String: String] = [:]
    private var flags: Set<String> = []

    /// Parses a command's arguments.
    /// - Parameters:
    ///   - arguments: the words after the command's name.
    ///   - options: every option the command accepts.
    ///   - positionals: the positionals it accepts, required ones first.
    /// - Throws: ``ArgumentError`` for an unknown, duplicate or valueless option, a value given to a
    ///   flag, or a missing or unexpected positional.
    public init(_ arguments: [String], options: [Option], positionals: [Positional] = []) throws(ArgumentError) {
        var words: [String] = []
        try self.init(scanning: arguments, options: options, unknown: &words, keepUnknown: false)

        let required = positionals.filter { !$0.isOptional }
        if words.count < required.count {
            throw ArgumentError("missing \(required[words.count].name)")
        }
        if words.count > positionals.count {
            throw ArgumentError("unexpected argument '\(words[positionals.count])'")
        }
        self.positionals = words
        positionalNames = positionals.prefix(words.count).map(\.name)
    }

    /// Takes the given options out of a command line wherever they appear, and returns the other
    /// words in their original order.
    /// - Throws: ``ArgumentError`` for a duplicate or valueless option, or a value given to a flag.
    public static func extract(
        _ options: [Option], from arguments: [String]
    ) throws(ArgumentError) -> (arguments: Arguments, rest: [String]) {
        var rest: [String] = []
        let parsed = try Arguments(scanning: arguments, options: options, unknown: &rest, keepUnknown: true)
        return (parsed, rest)
    }

    /// Whether a boolean flag was given.
    public func flag(_ name: String) -> Bool {
        flags.contains(name)
    }

    /// An option's value, if given.
    public func value(_ name: String) -> String? {
        values[name]
    }

    /// A positional by the name it was declared with, if given.
    public func positional(_ name: String) -> String? {
        positionalNames.firstIndex(of: name).map { positionals[$0] }
    }

    /// An option's value that the command cannot do without.
    /// - Throws: ``ArgumentError`` naming the option when it is absent.
    public func requiredValue(_ name: String) throws(ArgumentError) -> String {
        guard let value = values[name] else { throw ArgumentError("missing --\(name)") }
        return value
    }

    /// An option's value as a whole number within `range`; `nil` when the option is absent.
    /// - Throws: ``ArgumentError`` when the value is not a decimal integer or lies outside `range`.
    public func integer(_ name: String, in range: ClosedRange<Int64>) throws(ArgumentError) -> Int64? {
        guard let text = values[name] else { return nil }
        guard let number = Int64(text) else {
            throw ArgumentError("--\(name) must be a whole number, not '\(text)'")
        }
        guard range.contains(number) else {
            let bounds: String
            if range.upperBound == .max {
                bounds = "at least \(range.lowerBound)"
            } else {
                bounds = "between \(range.lowerBound) and \(range.upperBound)"
            }
            throw ArgumentError("--\(name) must be \(bounds), not \(number)")
        }
        return number
    }

    /// One line per option, aligned, for help text.
    public static func describe(_ options: [Option]) -> String {
        let labels = options.map { option in
            var label = "--\(option.name)"
            if let short = option.short { label = "-\(short), " + label }
            if let placeholder = option.placeholder { label += " \(placeholder)" }
            return label
        }
        let width = labels.map(\.count).max() ?? 0
        return zip(labels, options).map { label, option in
            let padded = label + String(repeating: " ", count: width - label.count)
            return option.help.isEmpty ? "  \(label)" : "  \(padded)  \(option.help)"
        }.joined(separator: "\n")
    }

    private init(
        scanning arguments: [String], options: [Option], unknown: inout [String], keepUnknown: Bool
    ) throws(ArgumentError) {
        var index = 0
        while index < arguments.count {
            let word = arguments[index]
            index += 1

            if word == "--" {
                unknown.append(contentsOf: keepUnknown ? arguments[(index - 1)...] : arguments[index...])
                return
            }
            guard let (name, inline) = Self.splitOption(word) else {
                unknown.append(word)
                continue
            }
            guard let option = options.first(where: { $0.name == name || ($0.short.map(String.init) == name) })
            else {
                if keepUnknown {
                    unknown.append(word)
                    continue
                }
                throw ArgumentError("unknown option \(word.hasPrefix("--") ? "--" : "-")\(name)")
            }

            let display = "--\(option.name)"
            guard !flags.contains(option.name), values[option.name] == nil else {
                throw ArgumentError("\(display) given more than once")
            }
            guard option.takesValue else {
                guard inline == nil else { throw ArgumentError("\(display) takes no value") }
                flags.insert(option.name)
                continue
            }
            if let inline {
                values[option.name] = inline
            } else if index < arguments.count, !arguments[index].hasPrefix("--") {
                values[option.name] = arguments[index]
                index += 1
            } else {
                throw ArgumentError("\(display) needs a value")
            }
        }
    }

    /// `--name=value` → (`name`, `value`); `--name` → (`name`, nil); `-h` → (`h`, nil); otherwise nil.
    private static func splitOption(_ word: String) -> (name: String, inline: String?)? {
        if word.hasPrefix("--") {
            let body = word.dropFirst(2)
            guard let equals = body.firstIndex(of: "=") else { return (String(body), nil) }
            return (String(body[..<equals]), String(body[body.index(after: equals)...]))
        }
        if word.count == 2, word.hasPrefix("-"), let letter = word.last, letter.isLetter {
            return (String(letter), nil)
        }
        return nil
    }
}

/// A command line that does not fit what the command accepts; the message is meant for the user.
public struct ArgumentError: Error, Equatable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
