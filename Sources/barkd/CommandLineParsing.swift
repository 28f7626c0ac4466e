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
            var message = oneLine(BarkdCommand.message(for: error))
            for (flag, variable) in resolved.sources where message.contains(flag) {
                message += " (from \(variable))"
            }
            fail(message)
        }
    }

    /// The message's first line; a list of valid values that follows it (ArgumentParser
    /// writes one value per line beyond five) joins that line, comma-separated.
    static func oneLine(_ message: String) -> String {
        let lines = message.split(separator: "\n")
        guard let first = lines.first else { return message }
        let values = lines.dropFirst().prefix { $0.hasPrefix("  - ") }.map { $0.dropFirst(4) }
        return values.isEmpty ? String(first) : first + " " + values.joined(separator: ", ")
    }

    static func fail(_ message: String) -> Never {
        StandardError.line("barkd: invalid configuration: \(message)")
        exit(2)
    }
}
