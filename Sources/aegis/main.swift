import AegisAdmin
import Foundation

let status = AdminCommandLine.run(
    Array(CommandLine.arguments.dropFirst()), environment: ProcessInfo.processInfo.environment, console: .standard())
exit(status)
