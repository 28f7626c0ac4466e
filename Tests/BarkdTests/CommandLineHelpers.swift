import Glibc
import Testing

@testable import barkd

/// Every suite of this target, run one test at a time: a parse costs tens of milliseconds
/// of CPU in a debug build (ArgumentParser checks its own definitions then), and running
/// them all at once would take every core from the other targets' tests that measure time.
@Suite(.serialized) enum BarkdTests {}

/// Parses `arguments` as barkd's command line with only `environment` as the process
/// environment (no real variables leak in).
func parse(_ arguments: [String], environment: [String: String] = [:]) -> CommandLineParsing.Outcome {
    CommandLineParsing.parse(arguments, environment: { environment[$0] })
}

/// The configuration `arguments` give, or nil when they are invalid or ask for help.
func command(_ arguments: [String], environment: [String: String] = [:]) -> BarkdCommand? {
    if case .run(let command) = parse(arguments, environment: environment) { return command }
    return nil
}

/// The one-line message for invalid `arguments`, or nil when they are valid.
func invalidMessage(_ arguments: [String], environment: [String: String] = [:]) -> String? {
    if case .invalid(let message) = parse(arguments, environment: environment) { return message }
    return nil
}

/// A file under /tmp holding `contents`, removed when the value goes.
final class TemporaryFile {
    let path: String

    init(_ contents: String) {
        var template = Array("/tmp/barkd-test-XXXXXX".utf8CString)
        let fd = mkstemp(&template)
        precondition(fd >= 0, "mkstemp failed")
        path = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let bytes = Array(contents.utf8)
        let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        close(fd)
        precondition(written == bytes.count, "cannot write \(path)")
    }

    deinit { unlink(path) }
}
