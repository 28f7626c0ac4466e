import App
import CLinuxShim
import EventLoop
import Glibc
import Logging
import Metrics
import Observability
import Persistence
import Prometheus
import Server
import ServiceLifecycle
import Synchronization
import Systemd

/// Wiring only: builds the loops, services and server from the configuration, runs them
/// in one `ServiceGroup`, and turns signals into a graceful shutdown.
enum Application {
    static func run(_ command: BarkdCommand, signalFD: Int32) -> Int32 {
        let format = command.logFormat
        let level = command.logLevel.level
        LoggingSystem.bootstrap { label in StructuredLogHandler(label: label, level: level, format: format) }
        let logger = Logger(label: "barkd")
        defer { LogSink.standardOutput.flush() }

        let build = BuildInfo(
            version: BuildInfo.barkdVersion,
            commit: runtimeCommitOverride() ?? GeneratedBuildInfo.commit,
            buildDate: GeneratedBuildInfo.buildDate,
            swiftVersion: BuildInfo.compilerVersion
        )
        let group: EventLoopGroup
        do {
            group = try EventLoopGroup(loopCount: command.eventLoops ?? AvailableCPUs.count)
        } catch {
            logger.critical("cannot start event loops", metadata: ["error": "\(error)"])
            return 1
        }
        defer { group.shutdown() }

        let metricsOn = command.metrics == .on
        let registry = PrometheusCollectorRegistry()
        if metricsOn {
            // Libraries that speak swift-metrics report into the same registry.
            MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        }
        let store: any Store
        do {
            var waitObserver: (@Sendable (Duration) -> Void)?
            if metricsOn {
                let histogram = MetricsCollector.databaseWaitHistogram(in: registry)
                waitObserver = { histogram.record($0) }
            }
            store = try StoreFactory.make(command, logger: Logger(label: "barkd.db"), waitObserver: waitObserver)
        } catch {
            logger.critical("cannot open the database", metadata: ["error": "\(error)"])
            StandardError.line("barkd: cannot open the database: \(error)")
            return 1
        }
        let readiness = Readiness()
        let picker = GifPicker(store: store, refreshInterval: command.catalogRefresh.duration, logger: Logger(label: "barkd.catalog"))
        let counterMode = command.counterMode.mode(flushInterval: command.counterFlushInterval.duration)
        let budget = command.shutdownBudget
        let counter = VisitorCounter(
            store: store,
            configuration: .init(
                mode: counterMode, spoolDirectory: "\(command.dataDir)/spool", finalFlushBudget: budget.finalFlush,
                maxPendingViews: command.maxPendingViews),
            readiness: readiness, logger: Logger(label: "barkd.counter"))

        var configuration = command.serverConfiguration
        configuration.inheritedListeners = SocketActivation.listeningFDs()
        var router = Router()
        let healthReporter = HealthReporter(store: store, logger: Logger(label: "barkd.health"))
        HealthEndpoints(build: build, description: command.description, readiness: readiness, loops: group.loops).register(in: &router)
        HealthDetailsEndpoint(
            build: build, description: command.description, readiness: readiness, reporter: healthReporter, counter: counter, loops: group.loops
        ).register(in: &router)
        GifEndpoints(picker: picker, counter: counter).register(in: &router)
        if let tokenFile = command.adminTokenFile {
            if tokenFile.isReadableByOthers {
                logger.warning(
                    "the admin token file is readable by other users",
                    metadata: ["path": "\(tokenFile.path)", "mode": "\(String(tokenFile.mode, radix: 8))"])
            }
        }
        if let token = command.adminTokenFile?.token,
            let admin = AdminEndpoints(token: token, picker: picker, readiness: readiness, maxUploadBytes: command.maxUpload.bytes)
        {
            admin.register(in: &router)
            configuration.limits.bodyLimit = admin.uploadBodyLimit
        }
        let serverStats = HTTPServerStats(loopCount: group.loops.count)
        let collector = MetricsCollector(
            registry: registry, build: build,
            sources: .init(
                server: serverStats, counter: counter, picker: picker, pool: store as? any PooledStore
            ))
        var metricsRouter = Router()
        if metricsOn {
            if command.metricsListen == nil {
                MetricsEndpoint(collector: collector).register(in: &router)
            } else {
                MetricsEndpoint(collector: collector).register(in: &metricsRouter)
            }
        }
        let server: HTTPServer
        do {
            let responder = AppResponder(
                router: router, accessLog: AccessLog(mode: command.accessLog, format: format),
                metrics: metricsOn ? HTTPRequestMetrics(registry: registry, loopCount: group.loops.count) : nil, loopCount: group.loops.count)
            server = try HTTPServer(configuration: configuration, responder: responder, group: group, logger: logger, stats: serverStats)
        } catch {
            logger.critical("cannot listen", metadata: ["host": "\(command.host)", "port": "\(command.port)", "error": "\(error)"])
            StandardError.line("barkd: cannot listen on \(command.host):\(command.port): \(error)")
            return 1
        }
        var metricsServer: HTTPServer?
        if let metricsConfiguration = command.metricsServerConfiguration {
            do {
                // The same chain (a request id on every answer), without access log or metrics.
                let responder = AppResponder(
                    router: metricsRouter, accessLog: AccessLog(mode: .off, format: format), metrics: nil, loopCount: group.loops.count)
                metricsServer = try HTTPServer(
                    configuration: metricsConfiguration, responder: responder, group: group, logger: Logger(label: "barkd.metrics"))
            } catch {
                let listen = command.metricsListen ?? ""
                logger.critical("cannot listen for metrics", metadata: ["metrics_listen": "\(listen)", "error": "\(error)"])
                StandardError.line("barkd: cannot listen for metrics on \(listen): \(error)")
                return 1
            }
        }
        let addresses = server.localAddresses.map(\.description).joined(separator: ", ")
        logger.info(
            "starting",
            metadata: [
                "version": "\(build.version)", "commit": "\(build.commit)", "listen": "\(addresses)",
                "event_loops": "\(group.loops.count)", "socket_activated": "\(!configuration.inheritedListeners.isEmpty)",
                "store": "\(store.kind)", "counter_mode": "\(command.counterMode)", "instance": "\(counter.instance)",
            ])
        if let interval = LoopWatchdog.start(loops: group.loops) {
            logger.info("systemd watchdog enabled", metadata: ["ping_interval": "\(interval)"])
        }

        let notifier = SystemdNotifier()
        // Shutdown runs in reverse order: stop announcing, drain HTTP, then stop the
        // background work, and flush the visitor counter last.
        var serviceConfiguration = ServiceGroupConfiguration(
            services: [
                .init(service: counter),
                .init(service: picker),
                .init(service: healthReporter),
                .init(
                    service: StartupService(
                        store: store, picker: picker, counter: counter, readiness: readiness,
                        seed: { SeedCatalog.gifs() }, logger: logger)),
                .init(service: server),
            ] + (metricsServer.map { [ServiceGroupConfiguration.ServiceConfiguration(service: $0)] } ?? []) + [
                .init(service: ReadinessNotifierService(readiness: readiness, notifier: notifier, status: "serving on \(addresses)", logger: logger))
            ],
            logger: logger
        )
        // The whole shutdown fits the grace: the server drains within its share, the
        // counter writes within its share and spools the rest (see ShutdownBudget).
        serviceConfiguration.maximumGracefulShutdownDuration = budget.total
        let services = ServiceGroup(configuration: serviceConfiguration)
        let finished = barkd_eventfd_blocking()
        let outcome = Mutex<Int32>(0)
        Task.detached {
            do {
                try await services.run()
            } catch {
                logger.error("service failed", metadata: ["error": "\(error)"])
                outcome.withLock { $0 = 1 }
            }
            // A store blocked in a database call must not hold the exit past the grace.
            _ = await DeadlineRace.outcome(before: .now + ShutdownBudget.margin) { await store.close() }
            _ = barkd_eventfd_write(finished)
        }
        waitForSignals(signalFD: signalFD, finished: finished) { signal, count in
            if count == 1 {
                logger.info("shutting down", metadata: ["signal": "\(signal)"])
                readiness.beginDraining()
                notifier.stopping(status: "draining")
                server.beginDrain()
                Task.detached { await services.triggerGracefulShutdown() }
            } else {
                logger.warning("second signal: exiting at once", metadata: ["signal": "\(signal)"])
                LogSink.standardOutput.flush()
                _exit(128 + signal)
            }
        }
        logger.info("stopped")
        return outcome.withLock { $0 }
    }

    /// Blocks this (non-loop) thread until the services finished, passing each SIGINT,
    /// SIGTERM or SIGHUP with its ordinal to `onSignal` (SIGHUP is only logged).
    private static func waitForSignals(signalFD: Int32, finished: Int32, onSignal: (Int32, Int) -> Void) {
        var shutdownSignals = 0
        var fds = [pollfd(fd: signalFD, events: Int16(POLLIN), revents: 0), pollfd(fd: finished, events: Int16(POLLIN), revents: 0)]
        while true {
            let ready = poll(&fds, 2, -1)
            if ready < 0 {
                if errno == EINTR { continue }
                return
            }
            if fds[1].revents != 0 { return }
            if fds[0].revents != 0 {
                let signal = barkd_signalfd_read(signalFD)
                if signal == SIGHUP { continue }
                if signal > 0 {
                    shutdownSignals += 1
                    onSignal(signal, shutdownSignals)
                }
            }
        }
    }

    /// `BARKD_COMMIT_SHA` at run time overrides the build's commit (container images
    /// built without `.git`); it must look like a commit id.
    private static func runtimeCommitOverride() -> String? {
        guard let raw = getenv("BARKD_COMMIT_SHA") else { return nil }
        let value = String(cString: raw)
        let isHex = (1...64).contains(value.utf8.count) && value.utf8.allSatisfy { Hex.value(of: $0) != nil }
        return isHex ? value : nil
    }
}
