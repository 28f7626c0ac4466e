import EventLoop
import Observability
public import Persistence
public import Prometheus
public import Server
import Synchronization

/// Brings every figure that is kept elsewhere (server counters, the visitor counter,
/// the catalog, the database pool, `/proc`) into the registry when `/metrics` is
/// scraped, so nothing on the request path pays for them.
///
/// Cumulative figures become Prometheus counters by adding what grew since the last
/// scrape (under a lock, so concurrent scrapes never count an increment twice).
public final class MetricsCollector: Sendable {
    /// Where the figures come from; any may be absent (e.g. a metrics-only listener).
    public struct Sources: Sendable {
        public var server: HTTPServerStats
        public var counter: VisitorCounter?
        public var picker: GifPicker?
        public var pool: (any PooledStore)?

        public init(server: HTTPServerStats, counter: VisitorCounter? = nil, picker: GifPicker? = nil, pool: (any PooledStore)? = nil) {
            self.server = server
            self.counter = counter
            self.picker = picker
            self.pool = pool
        }
    }

    static let poolStates = ["idle", "busy", "broken"]

    public let registry: PrometheusCollectorRegistry
    private let sources: Sources
    /// The last cumulative value added to each counter, by series.
    private let lastTotals = Mutex<[String: Double]>([:])

    public init(registry: PrometheusCollectorRegistry, build: BuildInfo, sources: Sources) {
        self.registry = registry
        self.sources = sources
        registry.makeGauge(
            descriptor: .named("barkd_build_info", help: "Always 1; the labels say which barkd this is."),
            labels: [("version", build.version), ("commit", build.commit)]
        ).set(to: 1.0)
        // Every reason is exported at 0 from the start, so rates and alerts see each series.
        for reason in HTTPRejection.allCases { _ = rejectedCounter(reason.rawValue) }
        if sources.pool != nil {
            for state in Self.poolStates { _ = poolGauge(state) }
        }
    }

    /// `barkd_db_wait_seconds`: how long callers that had to queue for a database
    /// connection waited (fed by the pool's wait observer).
    public static func databaseWaitHistogram(in registry: PrometheusCollectorRegistry) -> DurationHistogram {
        registry.makeDurationHistogram(
            descriptor: .named("barkd_db_wait_seconds", help: "Time callers that found every database connection busy waited for one."),
            labels: [],
            buckets: [
                .milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
                .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5),
            ]
        )
    }

    /// Updates every scraped figure, then renders the registry in the text format.
    /// (Concurrent scrapes are safe: see ``add(_:series:total:)``.)
    public func scrape() async -> [UInt8] {
        await refresh()
        return registry.emitToBuffer()
    }

    private func refresh() async {
        let server = sources.server
        gauge("barkd_http_open_connections", "TCP connections open now.").set(Double(server.openConnections.load(ordering: .relaxed)))
        gauge("barkd_http_request_buffer_bytes", "Request bytes buffered beyond each reading connection's lent 4KiB (bounded by --request-buffer-budget).")
            .set(Double(server.requestBufferBytes.load(ordering: .relaxed)))
        gauge("http_server_active_requests", "HTTP requests being handled now.").set(Double(server.activeRequests))
        for reason in HTTPRejection.allCases {
            add(rejectedCounter(reason.rawValue), series: "rejected/\(reason.rawValue)", total: Double(server.rejections(reason)))
        }
        if let counter = sources.counter {
            let pageViews = await counter.pageViews
            let state = await counter.snapshot
            add(
                counterNamed("barkd_page_views_total", "Page views counted by this instance since it started."),
                series: "page_views", total: Double(pageViews))
            gauge("barkd_visitors", "Visitor count: the stored total plus this instance's views not written yet.").set(Double(state.displayed))
            gauge("barkd_pending_views", "Views counted by this instance and not yet written to the database.").set(Double(state.unflushed))
        }
        if let picker = sources.picker {
            gauge("barkd_gif_catalog_size", "GIFs in this instance's catalog snapshot.").set(Double(await picker.catalog.count))
        }
        if let pool = sources.pool {
            let stats = pool.poolStats
            poolGauge("idle").set(Double(stats.idle))
            poolGauge("busy").set(Double(stats.busy))
            poolGauge("broken").set(Double(stats.broken))
            gauge("barkd_db_queue_depth", "Callers waiting for a database connection now.").set(Double(stats.queueDepth))
            for (operation, count) in stats.errorsByOperation {
                let errors = registry.makeCounter(
                    descriptor: .named("barkd_db_errors_total", help: "Failed database operations, by store operation."),
                    labels: [("operation", operation)]
                )
                add(errors, series: "db_errors/\(operation)", total: Double(count))
            }
        }
        await refreshProcess()
    }

    /// `/proc` is read on the global executor's threads: file reads must not run on a loop.
    private func refreshProcess() async {
        let stats = await withTaskExecutorPreference(globalConcurrentExecutor) { ProcessStats.read() }
        guard let stats else { return }
        add(
            counterNamed("process_cpu_seconds_total", "Total user and system CPU time spent in seconds."),
            series: "process_cpu", total: stats.cpuSeconds)
        gauge("process_resident_memory_bytes", "Resident memory size in bytes.").set(Double(stats.residentBytes))
        gauge("process_virtual_memory_bytes", "Virtual memory size in bytes.").set(Double(stats.virtualBytes))
        gauge("process_open_fds", "Number of open file descriptors.").set(Double(stats.openFDs))
        gauge("process_max_fds", "Maximum number of open file descriptors.").set(Double(stats.maxFDs))
        gauge("process_start_time_seconds", "Start time of the process since unix epoch in seconds.").set(stats.startTimeSeconds)
        gauge("process_threads", "Number of OS threads in the process.").set(Double(stats.threads))
    }

    // MARK: - Series

    private func gauge(_ name: String, _ help: String) -> Gauge {
        registry.makeGauge(descriptor: .named(name, help: help))
    }

    private func counterNamed(_ name: String, _ help: String) -> Counter {
        registry.makeCounter(descriptor: .named(name, help: help))
    }

    private func rejectedCounter(_ reason: String) -> Counter {
        registry.makeCounter(
            descriptor: .named("barkd_http_rejected_total", help: "Requests and connections refused by a limit, a timeout or a parse error, by reason."),
            labels: [("reason", reason)]
        )
    }

    private func poolGauge(_ state: String) -> Gauge {
        registry.makeGauge(
            descriptor: .named(
                "barkd_db_pool_connections", help: "Database pool connections by state: idle or busy (lent out) slots, and broken ones awaiting a reconnect."),
            labels: [("state", state)]
        )
    }

    /// Adds to `counter` what `total` grew by since the last scrape of `series`; a reading
    /// older than the last one adds nothing.
    private func add(_ counter: Counter, series: String, total: Double) {
        let delta = lastTotals.withLock { last -> Double in
            let previous = last[series] ?? 0
            guard total > previous else { return 0 }
            last[series] = total
            return total - previous
        }
        if delta > 0 { counter.increment(by: delta) }
    }
}

extension MetricNameDescriptor {
    /// A descriptor for the full metric name `name` (unit suffix included) with its HELP text.
    static func named(_ name: String, help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
    }
}
