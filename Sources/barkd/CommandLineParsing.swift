import ArgumentParser
import Glibc

/// Turns the command line and environment into a validated ``BarkdCommand`` — or exits:
/// 0 after `--help`, 2 with one line on stderr for anything invalid.
enum CommandLineParsing {
    static func parseOrExit(_ arguments: [String]) -> BarkdCommand {
        let resolved: EnvironmentDefaults.Resolved
        do {
            resolved = try EnvironmentDefaults.apply(to: arguments, options: BarkdCommand.optionNames)
        } catch {
            fail("\(error)")
        }
        do {
            return try BarkdCommand.parse(resolved.arguments)
        } catch {
            if BarkdCommand.exitCode(for: error) == .success {
                print(BarkdCommand.fullMessage(for: error))
                exit(0)
            }
            var message = BarkdCommand.message(for: error)
            if let firstLine = message.split(separator: "\n").first { message = String(firstLine) }
            for (flag, variable) in resolved.sources where message.contains(flag) {
                message += " (from \(variable))"
            }
            fail(message)
        }
    }

    static func fail(_ message: String) -> Never {
        StandardError.line("barkd: invalid configuration: \(message)")
        exit(2)
    }
}
