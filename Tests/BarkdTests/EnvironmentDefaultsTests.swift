import Observability
import Server
import Testing

@testable import barkd

extension BarkdTests {
    @Suite("BARKD_* variables stand in for absent flags")
    struct EnvironmentDefaultsTests {
        @Test func variableNames() {
            #expect(EnvironmentDefaults.variableName(for: "max-body") == "BARKD_MAX_BODY")
            #expect(EnvironmentDefaults.variableName(for: "port") == "BARKD_PORT")
        }

        @Test func aVariableSetsItsOption() throws {
            let parsed = try #require(
                command([], environment: ["BARKD_MAX_HEADERS": "7", "BARKD_METRICS": "off", "BARKD_COUNTER_MODE": "sync", "BARKD_IDLE_TIMEOUT": "5s"]))
            #expect(parsed.maxHeaders == 7)
            #expect(parsed.metrics == .off)
            #expect(parsed.counterMode == .sync)
            #expect(parsed.idleTimeout.duration == .seconds(5))
        }

        @Test func theCommandLineWins() throws {
            let environment = ["BARKD_PORT": "6000", "PORT": "7000", "BARKD_LOG_FORMAT": "text"]
            #expect(command(["--port", "8000"], environment: environment)?.port == 8000)
            #expect(command(["--port=8000"], environment: environment)?.port == 8000)
            #expect(command(["--log-format", "json"], environment: environment)?.logFormat == .json)
            #expect(command([], environment: environment)?.logFormat == .text)
        }

        @Test func portFallsBackToThePlatformVariable() throws {
            #expect(command([], environment: ["PORT": "7000"])?.port == 7000)
            #expect(command([], environment: ["BARKD_PORT": "6000", "PORT": "7000"])?.port == 6000)
            #expect(command([], environment: ["BARKD_PORT_FILE": "/nonexistent", "PORT": "7000"]) == nil)
            #expect(command([])?.port == BarkdCommand.serverDefaults.port)
        }

        @Test func aFileVariableIsReadWithoutItsNewline() throws {
            let file = TemporaryFile("from a secret\r\n")
            #expect(command([], environment: ["BARKD_DESCRIPTION_FILE": file.path])?.description == "from a secret")
            // The plain variable wins over its _FILE form, and the flag over both.
            #expect(command([], environment: ["BARKD_DESCRIPTION": "plain", "BARKD_DESCRIPTION_FILE": file.path])?.description == "plain")
            #expect(command(["--description", "flag"], environment: ["BARKD_DESCRIPTION_FILE": file.path])?.description == "flag")
        }

        @Test func anUnreadableFileVariableIsInvalid() throws {
            let message = try #require(invalidMessage([], environment: ["BARKD_DATABASE_FILE": "/nonexistent/barkd-url"]))
            #expect(message == "BARKD_DATABASE_FILE: cannot read '/nonexistent/barkd-url'")
        }

        @Test(arguments: [
            (["BARKD_LOG_FORMAT": "xml"], "(from BARKD_LOG_FORMAT)"),
            (["BARKD_PORT": "abc"], "(from BARKD_PORT)"),
            (["PORT": "abc"], "(from PORT)"),
            (["BARKD_HEADER_TIMEOUT": "0s"], "(from BARKD_HEADER_TIMEOUT)"),
        ])
        func anInvalidValueNamesItsVariable(environment: [String: String], suffix: String) throws {
            let message = try #require(invalidMessage([], environment: environment))
            #expect(message.hasSuffix(suffix), "\(message)")
            #expect(!message.contains("\n"))
        }

        @Test func everyOptionHasItsVariable() throws {
            guard case .help(let text) = parse(["--help"]) else {
                Issue.record("no help")
                return
            }
            // Every long option that takes a value is in optionNames (and so reads BARKD_*),
            // and --help names that variable.
            let flat = text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
            var shown = Set<String>()
            for word in flat.split(separator: " ") where word.hasPrefix("--") && !word.hasPrefix("--help") {
                shown.insert(String(word.dropFirst(2).prefix { $0.isLetter || $0.isNumber || $0 == "-" }))
            }
            #expect(shown == Set(BarkdCommand.optionNames))
            for option in BarkdCommand.optionNames {
                #expect(flat.contains(EnvironmentDefaults.variableName(for: option)), "--help does not name the variable of --\(option)")
            }
        }
    }
}
