import Testing

@testable import barkd

extension BarkdTests {
    @Suite("barkd's command line: invalid values stop it with one line")
    struct CommandValidationTests {
        /// (arguments, a word the message must contain)
        static let invalidCases: [([String], String)] = [
            (["--port", "70000"], "--port"),
            (["--port", "abc"], "--port"),
            (["--host", ""], "--host"),
            (["--backlog", "0"], "--backlog"),
            (["--event-loops", "0"], "--event-loops"),
            (["--event-loops", "257"], "--event-loops"),
            (["--max-request-line", "10"], "--max-request-line"),
            (["--max-header-bytes", "1KiB"], "--max-header-bytes"),
            (["--max-headers", "0"], "--max-headers"),
            (["--max-body", "lots"], "--max-body"),
            (["--header-timeout", "0"], "--header-timeout"),
            (["--header-timeout=-1s"], "--header-timeout"),
            (["--body-timeout", "soon"], "--body-timeout"),
            (["--idle-timeout", "0s"], "--idle-timeout"),
            (["--write-timeout", "0ms"], "--write-timeout"),
            (["--max-requests-per-connection", "0"], "--max-requests-per-connection"),
            (["--max-connections", "0"], "--max-connections"),
            (["--shutdown-grace", "500ms"], "--shutdown-grace"),
            (["--description", String(repeating: "d", count: 501)], "--description"),
            (["--db-pool-size", "0"], "--db-pool-size"),
            (["--db-pool-size", "65"], "--db-pool-size"),
            (["--db-queue-limit=-1"], "--db-queue-limit"),
            (["--db-wait-timeout", "0"], "--db-wait-timeout"),
            (["--db-connect-timeout", "0"], "--db-connect-timeout"),
            (["--db-read-timeout", "1s"], "--db-read-timeout"),
            (["--db-read-timeout", "1500ms"], "--db-read-timeout"),
            (["--db-write-timeout", "2h"], "--db-write-timeout"),
            (["--catalog-refresh", "0"], "--catalog-refresh"),
            (["--counter-flush-interval", "0"], "--counter-flush-interval"),
            (["--max-pending-views", "0"], "--max-pending-views"),
            (["--max-upload", "1000"], "--max-upload"),
            (["--database", "postgres://u@h/d"], "--database"),
            (["--database", "mariadb://"], "--database"),
            (["--database", "mariadb://u@h/d?tls=required&tls-ca=/x.pem"], "tls-ca"),
            (["--metrics", "yes"], "--metrics"),
            (["--metrics-listen", "127.0.0.1:9090", "--metrics", "off"], "--metrics-listen needs --metrics on"),
            (["--metrics-listen", "nowhere"], "--metrics-listen"),
            (["--metrics-listen", "127.0.0.1:0"], "--metrics-listen"),
            (["--metrics-listen", "::1:9090"], "--metrics-listen"),
            (["--metrics-listen", "127.0.0.1:5000"], "must differ"),
            (["--counter-mode", "async"], "--counter-mode"),
            (["--log-format", "xml"], "--log-format"),
            (["--log-level", "loud"], "--log-level"),
            (["--access-log", "sometimes"], "--access-log"),
            (["--access-log", "sample:0"], "--access-log"),
            (["--admin-token-file", "/nonexistent/barkd-token"], "--admin-token-file"),
            (["--frobnicate"], "--frobnicate"),
        ]

        @Test(arguments: invalidCases)
        func invalidValueIsOneLineNamingTheOption(arguments: [String], word: String) throws {
            let message = try #require(invalidMessage(arguments), "\(arguments) was accepted")
            #expect(!message.contains("\n"), "\(message)")
            #expect(message.contains(word), "\(message)")
        }

        @Test func aListOfValidValuesStaysOnTheLine() throws {
            let message = try #require(invalidMessage(["--log-level", "loud"]))
            #expect(message.hasSuffix("trace, debug, info, notice, warning, error, critical"), "\(message)")
        }

        @Test func aShortAdminTokenIsRefused() throws {
            let file = TemporaryFile("too-short\n")
            let message = try #require(invalidMessage(["--admin-token-file", file.path]))
            #expect(message.contains("at least 16 characters"), "\(message)")
            let good = TemporaryFile("a-token-long-enough\n")
            #expect(command(["--admin-token-file", good.path])?.adminTokenFile?.path == good.path)
        }

        @Test func theDatabaseMessageNeverRepeatsThePassword() throws {
            let message = try #require(invalidMessage(["--database", "mariadb://user:hunter2@host:notaport/db"]))
            #expect(!message.contains("hunter2"), "\(message)")
        }

        @Test func helpIsNotAnError() throws {
            for flag in ["--help", "-h"] {
                guard case .help(let text) = parse([flag]) else {
                    Issue.record("\(flag) did not ask for help")
                    continue
                }
                #expect(text.contains("USAGE: barkd"))
            }
        }
    }
}
