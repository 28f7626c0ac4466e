import Glibc
import Observability

/// 12-factor configuration: `BARKD_<OPTION>` stands in for `--<option>` when the flag is
/// not on the command line, and `BARKD_<OPTION>_FILE` names a file holding the value
/// (Kubernetes Secret mounts). A few options also read a platform's own variable when
/// neither the flag nor `BARKD_<OPTION>` is given: `PORT` for `--port`, as Cloud Run,
/// Heroku-style platforms and buildpacks set it.
enum EnvironmentDefaults {
    struct Resolved {
        var arguments: [String]
        /// Which flags came from which variable, to name it in error messages.
        var sources: [String: String]
    }

    /// The platform variable an option falls back to, after its own `BARKD_*` variables.
    static let platformVariables = ["port": "PORT"]

    /// The process's environment, as `getenv(3)` reads it.
    static func processEnvironment(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }
    }

    static func variableName(for option: String) -> String {
        "BARKD_" + String(option.uppercased().map { $0 == "-" ? "_" : $0 })
    }

    /// `arguments` with `--option value` appended for each set variable whose flag is absent.
    static func apply(
        to arguments: [String], options: [String], environment: (String) -> String? = processEnvironment
    ) throws -> Resolved {
        var result = arguments
        var sources: [String: String] = [:]
        for option in options {
            let flag = "--" + option
            let present = arguments.contains { $0 == flag || $0.hasPrefix(flag + "=") }
            if present { continue }
            let name = variableName(for: option)
            if let value = environment(name) {
                result += [flag, value]
                sources[flag] = name
            } else if let path = environment(name + "_FILE") {
                guard let contents = readFile(path) else {
                    throw EnvironmentError(message: "\(name)_FILE: cannot read '\(path)'")
                }
                result += [flag, contents]
                sources[flag] = name + "_FILE"
            } else if let platform = platformVariables[option], let value = environment(platform) {
                result += [flag, value]
                sources[flag] = platform
            }
        }
        return Resolved(arguments: result, sources: sources)
    }

    /// The file's contents without a trailing newline, or nil when unreadable.
    static func readFile(_ path: String) -> String? {
        guard var bytes = SmallFile.read(path) else { return nil }
        while let last = bytes.last, last == 0x0A || last == 0x0D { bytes.removeLast() }
        return String(decoding: bytes, as: UTF8.self)
    }
}

struct EnvironmentError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
