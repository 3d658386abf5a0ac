import AegisCore
import AegisDaemon
import Foundation

let environment = ProcessInfo.processInfo.environment
let configuration: DaemonConfiguration
do {
    switch try DaemonConfiguration.parse(Array(CommandLine.arguments.dropFirst()), environment: environment) {
    case .help:
        print(DaemonConfiguration.helpText)
        exit(0)
    case .run(let parsed):
        configuration = parsed
    }
} catch {
    FileHandle.standardError.write(Data("aegisd: \(error)\nRun 'aegisd --help' for the options.\n".utf8))
    exit(2)
}

let log = Log(level: LogLevel(name: configuration.logLevel) ?? .info)
do {
    let daemon = try Daemon(configuration: configuration, log: log)
    exit(daemon.run())
} catch {
    log.error("aegisd cannot start", ["error": String(describing: error)])
    exit(1)
}
