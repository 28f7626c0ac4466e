import ArgumentParser
import Glibc

/// Turns the command line and environment into a validated ``BarkdCommand`` — or exits:
/// 0 after `--help`, 2 with one line on stderr for anything invalid.
enum CommandLineParsing {
    /// What the command line asks for.
    enum Outcome {
        /// A valid configuration: run the server with it.
        case run(BarkdCommand)
        /// `--help` (or `-h`): print this text and exit 0.
        case help(String)
        /// Invalid: this one line (naming the variable a bad value came from) and exit 2.
        case invalid(String)
    }

    static func parseOrExit(_ arguments: [String]) -> BarkdCommand {
        switch parse(arguments) {
        case .run(let command): return command
        case .help(let text):
            print(text)
            exit(0)
        case .invalid(let message): fail(message)
        }
    }

    /// Parses `arguments` with `BARKD_*` (and platform) variables from `environment`
    /// standing in for absent flags, without exiting: the testable part of
    /// ``parseOrExit(_:)``.
    static func parse(_ arguments: [String], environment: (String) -> String? = EnvironmentDefaults.processEnvironment) -> Outcome {
        let resolved: EnvironmentDefaults.Resolved
        do {
            resolved = try EnvironmentDefaults.apply(to: arguments, options: BarkdCommand.optionNames, environment: environment)
        } catch {
            return .invalid("\(error)")
        }
        do {
            return .run(try BarkdCommand.parse(resolved.arguments))
        } catch {
            if BarkdCommand.exitCode(for: error) == .success { return .help(BarkdCommand.fullMessage(for: error)) }
            var message = oneLine(BarkdCommand.message(for: error))
            for (flag, variable) in resolved.sources where message.contains(flag) {
                message += " (from \(variable))"
            }
            return .invalid(message)
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
