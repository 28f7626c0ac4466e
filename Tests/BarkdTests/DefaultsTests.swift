import App
import Observability
import Persistence
import Server
import Testing

@testable import barkd

extension BarkdTests {
    @Suite("The command line's defaults are the configuration types' defaults")
    struct DefaultsTests {
        @Test func serverDefaults() throws {
            let configuration = try #require(command([])).serverConfiguration
            let expected = HTTPServerConfiguration.default
            #expect(configuration.host == expected.host)
            #expect(configuration.port == expected.port)
            #expect(configuration.backlog == expected.backlog)
            #expect(configuration.limits.maxRequestLineBytes == expected.limits.maxRequestLineBytes)
            #expect(configuration.limits.maxHeaderBytes == expected.limits.maxHeaderBytes)
            #expect(configuration.limits.maxHeaderCount == expected.limits.maxHeaderCount)
            #expect(configuration.limits.maxBodyBytes == expected.limits.maxBodyBytes)
            #expect(configuration.headerTimeout == expected.headerTimeout)
            #expect(configuration.bodyTimeout == expected.bodyTimeout)
            #expect(configuration.idleTimeout == expected.idleTimeout)
            #expect(configuration.writeTimeout == expected.writeTimeout)
            #expect(configuration.maxRequestsPerConnection == expected.maxRequestsPerConnection)
            #expect(configuration.maxConnections == expected.maxConnections)
            // The server drains within its share of the whole shutdown budget.
            #expect(configuration.shutdownGrace == ShutdownBudget.default.drain)
        }

        @Test func databaseDefaults() throws {
            let parsed = try #require(command([]))
            let pool = DatabasePoolConfiguration.default
            #expect(parsed.dbPoolSize == pool.size)
            #expect(parsed.dbQueueLimit == pool.queueLimit)
            #expect(parsed.dbWaitTimeout.duration == pool.waitTimeout)
            let timeouts = MariaDBTimeouts(
                connect: parsed.dbConnectTimeout.duration, read: parsed.dbReadTimeout.duration, write: parsed.dbWriteTimeout.duration)
            #expect(timeouts == MariaDBTimeouts.default)
            #expect(parsed.database.isEmpty)
        }

        @Test func appDefaults() throws {
            let parsed = try #require(command([]))
            #expect(parsed.shutdownBudget == ShutdownBudget.default)
            #expect(parsed.catalogRefresh.duration == GifPicker.defaultRefreshInterval)
            #expect(
                parsed.counterMode.mode(flushInterval: parsed.counterFlushInterval.duration)
                    == .batched(flushInterval: VisitorCounter.Mode.defaultFlushInterval))
            #expect(parsed.maxPendingViews == VisitorCounter.Configuration.defaultMaxPendingViews)
            #expect(parsed.maxUpload.bytes == AdminEndpoints.defaultMaxUploadBytes)
            #expect(parsed.metrics == .on && parsed.metricsListen == nil)
            #expect(parsed.accessLog == .all)
            #expect(parsed.logFormat == .json && parsed.logLevel == .info)
            #expect(parsed.eventLoops == nil && parsed.adminTokenFile == nil)
        }

        /// The README documents 256; the pool's own default once said 128.
        @Test func theQueueLimitIsTheDocumentedOne() {
            #expect(DatabasePoolConfiguration.default.queueLimit == 256)
            #expect(DatabasePoolConfiguration().queueLimit == DatabasePoolConfiguration.default.queueLimit)
        }

        @Test func helpShowsTheDefaults() throws {
            guard case .help(let text) = parse(["--help"]) else {
                Issue.record("no help")
                return
            }
            let flat = text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
            for shown in [
                "default: 256", "default: 8KiB", "default: 1MiB", "default: 5MiB", "default: 250ms", "default: 20s", "default: 60s", "default: 127.0.0.1",
            ] {
                #expect(flat.contains(shown), "--help lacks \(shown)")
            }
        }

        @Test(arguments: [(Duration.seconds(60), "60s"), (.milliseconds(250), "250ms"), (.milliseconds(1500), "1500ms"), (.zero, "0s")])
        func durationDefaultsAreWrittenAsTyped(duration: Duration, text: String) throws {
            let argument = DurationArgument(duration)
            #expect(argument.defaultValueDescription == text)
            #expect(try #require(DurationArgument(argument: text)).duration == duration)
        }

        @Test(arguments: [(8 * 1024, "8KiB"), (1 << 20, "1MiB"), (5 << 20, "5MiB"), (1536, "1536"), (1000, "1000"), (0, "0")])
        func byteSizeDefaultsAreWrittenAsTyped(bytes: Int, text: String) throws {
            let argument = ByteSizeArgument(bytes)
            #expect(argument.defaultValueDescription == text)
            #expect(try #require(ByteSizeArgument(argument: text)).bytes == bytes)
        }
    }
}
