import App
import Logging
import Observability
import Testing

@testable import barkd

extension BarkdTests {
    @Suite("Options with a fixed set of values parse into enums")
    struct ChoiceArgumentTests {
        @Test func enumsParse() throws {
            let parsed = try #require(command(["--metrics", "off", "--counter-mode", "sync", "--log-format", "text", "--log-level", "warning"]))
            #expect(parsed.metrics == .off)
            #expect(parsed.counterMode == .sync)
            #expect(parsed.logFormat == .text)
            #expect(parsed.logLevel.level == .warning)
        }

        @Test func counterModeCarriesTheFlushInterval() throws {
            let batched = try #require(command(["--counter-flush-interval", "100ms"]))
            #expect(batched.counterMode.mode(flushInterval: batched.counterFlushInterval.duration) == .batched(flushInterval: .milliseconds(100)))
            #expect(CounterModeArgument.sync.mode(flushInterval: .seconds(1)) == .sync)
        }

        @Test func everyLogLevelMapsToItsNamesake() {
            for argument in LogLevelArgument.allCases {
                #expect(argument.level.rawValue == argument.rawValue)
            }
        }

        @Test(arguments: [("on", AccessLog.Mode.all), ("off", .off), ("sample:1", .all), ("sample:4", .sampled(4))])
        func accessLog(argument: String, mode: AccessLog.Mode) throws {
            #expect(AccessLog.Mode(argument: argument) == mode)
            #expect(command(["--access-log", argument])?.accessLog == mode)
        }

        @Test func accessLogShowsItsDefaultAsTyped() {
            #expect(AccessLog.Mode.all.defaultValueDescription == "on")
            #expect(AccessLog.Mode.sampled(8).defaultValueDescription == "sample:8")
            #expect(AccessLog.Mode(argument: AccessLog.Mode.sampled(8).defaultValueDescription) == .sampled(8))
        }

        @Test func helpListsTheValues() throws {
            guard case .help(let text) = parse(["--help"]) else {
                Issue.record("no help")
                return
            }
            let flat = text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
            #expect(flat.contains("values: on, off; default: on"))
            #expect(flat.contains("values: batched, sync; default: batched"))
            #expect(flat.contains("values: json, text; default: json"))
            #expect(flat.contains("values: trace, debug, info, notice, warning, error, critical; default: info"))
        }
    }
}
