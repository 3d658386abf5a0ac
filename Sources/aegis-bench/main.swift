import AegisCore
import Glibc

/// Prints to stderr and exits: 2 for a bad command line, 1 for a failed run.
func fail(_ message: String, status: Int32) -> Never {
    let text = "aegis-bench: \(message)\n"
    _ = text.withCString { write(2, $0, strlen($0)) }
    if status == 2 { _ = "Run 'aegis-bench --help' for the options.\n".withCString { write(2, $0, strlen($0)) } }
    exit(status)
}

var environment: [String: String] = [:]
if let value = getenv("AEGIS_SOCKET") { environment["AEGIS_SOCKET"] = String(cString: value) }

let options: BenchOptions
do {
    guard let parsed = try BenchOptions.parse(Array(CommandLine.arguments.dropFirst()), environment: environment) else {
        print(BenchOptions.usage)
        exit(0)
    }
    options = parsed
} catch {
    fail(error.message, status: 2)
}

// A daemon that goes away must surface as an error from the write, not kill the generator.
signal(SIGPIPE, SIG_IGN)

do {
    let keys = try RequestFrames.readKeys(options.keysPath)
    let frames = RequestFrames(keys: keys, path: options.path)
    if let command = options.coldStartCommand {
        let first = Array(frames.bytes[frames.offsets[0]..<frames.offsets[1]])
        let result = try ColdStart(options: options, command: command, frame: first).run()
        print(options.json ? Report.json(result) : Report.text(result))
    } else {
        let result = try LoadGenerator(options: options, frames: frames).run()
        print(
            options.json
                ? Report.json(result, options: options, keyCount: keys.count)
                : Report.text(result, options: options, keyCount: keys.count))
    }
} catch {
    fail(error.message, status: 1)
}
