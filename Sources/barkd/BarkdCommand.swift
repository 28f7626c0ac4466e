import App
import ArgumentParser
import EventLoop
import Logging
import Observability
import Persistence
import Server

/// barkd's command line. Every option also reads a `BARKD_*` environment variable
/// (the flag wins); see ``EnvironmentDefaults``. Defaults are read from the configuration
/// types that own them (``HTTPServerConfiguration/default`` and others), so `--help` shows
/// what the server really uses.
struct BarkdCommand: ParsableCommand {
    /// The server's defaults, which the HTTP options show and start from.
    static let serverDefaults = HTTPServerConfiguration.default

    static let configuration = CommandConfiguration(
        commandName: "barkd",
        abstract: "The Dog GIF service: a random dog GIF and a visitor counter, with health and metrics endpoints.",
        discussion:
            "Every option can also be set by the environment variable named beside it; a flag given on the command line wins. Invalid values stop barkd before it starts, with exit code 2."
    )

    @Option(help: "Address to listen on (env: BARKD_HOST).")
    var host = Self.serverDefaults.host

    @Option(help: "TCP port to listen on; 0 picks a free port (env: BARKD_PORT, else PORT as Cloud Run sets it).")
    var port = Self.serverDefaults.port

    @Option(help: "listen(2) backlog (env: BARKD_BACKLOG).")
    var backlog = Self.serverDefaults.backlog

    @Option(
        name: .customLong("event-loops"),
        help: "Number of event loop threads; default: one per CPU this process may use, capped by its cgroup CPU quota (env: BARKD_EVENT_LOOPS)."
    )
    var eventLoops: Int?

    @Option(help: "Description in /healthcheck (env: BARKD_DESCRIPTION).")
    var description = "barkd: the Dog GIF service with a visitor counter"

    @Option(name: .customLong("max-request-line"), help: "Longest request line; beyond: 414 (env: BARKD_MAX_REQUEST_LINE).")
    var maxRequestLine = ByteSizeArgument(Self.serverDefaults.limits.maxRequestLineBytes)

    @Option(name: .customLong("max-header-bytes"), help: "Largest header section; beyond: 431 (env: BARKD_MAX_HEADER_BYTES).")
    var maxHeaderBytes = ByteSizeArgument(Self.serverDefaults.limits.maxHeaderBytes)

    @Option(name: .customLong("max-headers"), help: "Most header fields; beyond: 431 (env: BARKD_MAX_HEADERS).")
    var maxHeaders = Self.serverDefaults.limits.maxHeaderCount

    @Option(name: .customLong("max-body"), help: "Largest request body; beyond: 413 (env: BARKD_MAX_BODY).")
    var maxBody = ByteSizeArgument(Self.serverDefaults.limits.maxBodyBytes)

    @Option(name: .customLong("header-timeout"), help: "Time from a request's first byte to the end of its headers; then 408 (env: BARKD_HEADER_TIMEOUT).")
    var headerTimeout = DurationArgument(Self.serverDefaults.headerTimeout)

    @Option(name: .customLong("body-timeout"), help: "Time to receive a request body; then 408 (env: BARKD_BODY_TIMEOUT).")
    var bodyTimeout = DurationArgument(Self.serverDefaults.bodyTimeout)

    @Option(name: .customLong("idle-timeout"), help: "Idle keep-alive time before a connection is closed (env: BARKD_IDLE_TIMEOUT).")
    var idleTimeout = DurationArgument(Self.serverDefaults.idleTimeout)

    @Option(name: .customLong("write-timeout"), help: "Time a response write may wait for a slow reader (env: BARKD_WRITE_TIMEOUT).")
    var writeTimeout = DurationArgument(Self.serverDefaults.writeTimeout)

    @Option(
        name: .customLong("max-requests-per-connection"), help: "Requests served on one connection before closing it (env: BARKD_MAX_REQUESTS_PER_CONNECTION).")
    var maxRequestsPerConnection = Self.serverDefaults.maxRequestsPerConnection

    @Option(name: .customLong("max-connections"), help: "Open connections; beyond, accepting pauses (env: BARKD_MAX_CONNECTIONS).")
    var maxConnections = Self.serverDefaults.maxConnections

    @Option(
        name: .customLong("request-buffer-budget"),
        help: "Request bytes all connections together may buffer beyond 4KiB each; a request needing more gets 503 (env: BARKD_REQUEST_BUFFER_BUDGET)."
    )
    var requestBufferBudget = ByteSizeArgument(Self.serverDefaults.requestBufferBudget)

    @Option(
        name: .customLong("shutdown-grace"),
        help:
            "The whole shutdown after SIGTERM: draining in-flight requests, the final counter write (a quarter, at most 5s) and the spool; fits Kubernetes' default 30s with a 5s preStop (env: BARKD_SHUTDOWN_GRACE)."
    )
    var shutdownGrace = DurationArgument(ShutdownBudget.default.total)

    @Option(name: .customLong("log-format"), help: "One JSON object per line, or text (env: BARKD_LOG_FORMAT).")
    var logFormat = LogFormat.json

    @Option(name: .customLong("log-level"), help: "The least severe level logged (env: BARKD_LOG_LEVEL).")
    var logLevel = LogLevelArgument.info

    @Option(name: .customLong("access-log"), help: "on, off, or sample:N to log one request in N (env: BARKD_ACCESS_LOG).")
    var accessLog = AccessLog.Mode.all

    @Option(
        help:
            "Database URL: mariadb://user@host:port/db (or mysql://); empty: the embedded SQLite file in --data-dir. Password from BARKD_DB_PASSWORD_FILE or BARKD_DB_PASSWORD (env: BARKD_DATABASE)."
    )
    var database = ""

    @Option(name: .customLong("data-dir"), help: "Directory of the embedded SQLite database (env: BARKD_DATA_DIR).")
    var dataDir = "./data"

    @Option(name: .customLong("db-pool-size"), help: "Database connections, each on its own thread (env: BARKD_DB_POOL_SIZE).")
    var dbPoolSize = DatabasePoolConfiguration.default.size

    @Option(name: .customLong("db-queue-limit"), help: "Requests that may wait for a database connection; beyond: 503 (env: BARKD_DB_QUEUE_LIMIT).")
    var dbQueueLimit = DatabasePoolConfiguration.default.queueLimit

    @Option(name: .customLong("db-wait-timeout"), help: "Longest wait for a database connection; then 503 (env: BARKD_DB_WAIT_TIMEOUT).")
    var dbWaitTimeout = DurationArgument(DatabasePoolConfiguration.default.waitTimeout)

    @Option(
        name: .customLong("db-connect-timeout"),
        help: "MariaDB: longest time to open a connection, whole seconds (env: BARKD_DB_CONNECT_TIMEOUT).")
    var dbConnectTimeout = DurationArgument(MariaDBTimeouts.default.connect)

    @Option(
        name: .customLong("db-read-timeout"),
        help: "MariaDB: longest wait for one reply, at least 2s; a hung server breaks the connection after it (env: BARKD_DB_READ_TIMEOUT).")
    var dbReadTimeout = DurationArgument(MariaDBTimeouts.default.read)

    @Option(
        name: .customLong("db-write-timeout"),
        help: "MariaDB: longest time to send one request, whole seconds (env: BARKD_DB_WRITE_TIMEOUT).")
    var dbWriteTimeout = DurationArgument(MariaDBTimeouts.default.write)

    @Option(name: .customLong("catalog-refresh"), help: "How often the GIF catalog is reloaded from the database (env: BARKD_CATALOG_REFRESH).")
    var catalogRefresh = DurationArgument(GifPicker.defaultRefreshInterval)

    @Option(
        name: .customLong("counter-mode"),
        help: "batched (write views every flush interval) or sync (write each view before answering) (env: BARKD_COUNTER_MODE).")
    var counterMode = CounterModeArgument.batched

    @Option(name: .customLong("counter-flush-interval"), help: "How often batched views are written (env: BARKD_COUNTER_FLUSH_INTERVAL).")
    var counterFlushInterval = DurationArgument(VisitorCounter.Mode.defaultFlushInterval)

    @Option(
        name: .customLong("max-pending-views"),
        help: "Views this instance may hold unwritten (a database outage) before /readyz says 503 (env: BARKD_MAX_PENDING_VIEWS).")
    var maxPendingViews = VisitorCounter.Configuration.defaultMaxPendingViews

    @Option(
        name: .customLong("admin-token-file"),
        help:
            "File holding the admin API's bearer token (at least 16 characters; a final newline is ignored); without it the admin API does not exist (env: BARKD_ADMIN_TOKEN_FILE).",
        transform: { path in try AdminTokenFile(path: path) })
    var adminTokenFile: AdminTokenFile?

    @Option(name: .customLong("max-upload"), help: "Largest GIF the admin API accepts; beyond: 413 (env: BARKD_MAX_UPLOAD).")
    var maxUpload = ByteSizeArgument(AdminEndpoints.defaultMaxUploadBytes)

    @Option(help: "on: record metrics and serve GET /metrics; off: neither (env: BARKD_METRICS).")
    var metrics = MetricsSwitch.on

    @Option(
        name: .customLong("metrics-listen"),
        help: "Serve /metrics on this HOST:PORT instead of the main listener, e.g. 127.0.0.1:9090 or [::1]:9090 (env: BARKD_METRICS_LISTEN).")
    var metricsListen: String?

    /// The long names of every option: each reads `BARKD_<NAME>` from the environment.
    static let optionNames = [
        "host", "port", "backlog", "event-loops", "description", "max-request-line", "max-header-bytes",
        "max-headers", "max-body", "header-timeout", "body-timeout", "idle-timeout", "write-timeout",
        "max-requests-per-connection", "max-connections", "request-buffer-budget", "shutdown-grace", "log-format", "log-level", "access-log",
        "database", "data-dir", "db-pool-size", "db-queue-limit", "db-wait-timeout", "db-connect-timeout",
        "db-read-timeout", "db-write-timeout", "catalog-refresh", "counter-mode",
        "counter-flush-interval", "max-pending-views", "admin-token-file", "max-upload", "metrics", "metrics-listen",
    ]

    mutating func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0-65535, got \(port)") }
        guard host.utf8.count > 0 else { throw ValidationError("--host must not be empty") }
        guard backlog > 0 else { throw ValidationError("--backlog must be positive") }
        if let eventLoops, !(1...256).contains(eventLoops) { throw ValidationError("--event-loops must be 1-256, got \(eventLoops)") }
        guard maxRequestLine.bytes >= 64 else { throw ValidationError("--max-request-line must be at least 64 bytes") }
        guard maxHeaderBytes.bytes >= maxRequestLine.bytes else { throw ValidationError("--max-header-bytes must be at least --max-request-line") }
        guard (1...10_000).contains(maxHeaders) else { throw ValidationError("--max-headers must be 1-10000") }
        guard maxBody.bytes >= 0 else { throw ValidationError("--max-body must not be negative") }
        for (name, value) in [
            ("--header-timeout", headerTimeout), ("--body-timeout", bodyTimeout), ("--idle-timeout", idleTimeout), ("--write-timeout", writeTimeout),
        ]
        where value.duration <= .zero {
            throw ValidationError("\(name) must be greater than 0")
        }
        guard maxRequestsPerConnection >= 1 else { throw ValidationError("--max-requests-per-connection must be at least 1") }
        guard maxConnections >= 1 else { throw ValidationError("--max-connections must be at least 1") }
        guard description.utf8.count <= 500 else { throw ValidationError("--description must be at most 500 bytes") }
        guard (1...64).contains(dbPoolSize) else { throw ValidationError("--db-pool-size must be 1-64, got \(dbPoolSize)") }
        guard dbQueueLimit >= 0 else { throw ValidationError("--db-queue-limit must not be negative") }
        guard maxPendingViews >= 1 else { throw ValidationError("--max-pending-views must be at least 1") }
        guard shutdownGrace.duration >= .seconds(1) else { throw ValidationError("--shutdown-grace must be at least 1s") }
        for (name, value) in [("--db-wait-timeout", dbWaitTimeout), ("--catalog-refresh", catalogRefresh), ("--counter-flush-interval", counterFlushInterval)]
        where value.duration <= .zero {
            throw ValidationError("\(name) must be greater than 0")
        }
        for (name, value, minimum) in [
            ("--db-connect-timeout", dbConnectTimeout, Duration.seconds(1)), ("--db-read-timeout", dbReadTimeout, .seconds(2)),
            ("--db-write-timeout", dbWriteTimeout, .seconds(1)),
        ] {
            guard value.duration >= minimum, value.duration <= .seconds(3600), value.duration.isWholeSeconds else {
                throw ValidationError("\(name) must be whole seconds from \(minimum.components.seconds)s to 1h, got '\(value)'")
            }
        }
        if let metricsListen {
            guard metrics == .on else { throw ValidationError("--metrics-listen needs --metrics on") }
            guard let listen = Self.hostAndPort(metricsListen) else {
                throw ValidationError("--metrics-listen must be HOST:PORT (port 1-65535), got '\(metricsListen)'")
            }
            if listen.port == port && listen.host == host { throw ValidationError("--metrics-listen must differ from --host/--port") }
        }
        guard maxUpload.bytes >= 1024 else { throw ValidationError("--max-upload must be at least 1KiB") }
        if !database.isEmpty {
            let lower = database.lowercased()
            guard lower.hasPrefix("mariadb://") || lower.hasPrefix("mysql://") else {
                throw ValidationError("--database must be a mariadb:// or mysql:// URL (or empty for the embedded SQLite)")
            }
            do {
                _ = try DatabaseURL(parsing: database)
            } catch {
                // The parser's message never repeats the URL (it may hold a password).
                throw ValidationError("--database: \(error)")
            }
        }
    }

    /// `--shutdown-grace` shared between draining and the final counter write.
    var shutdownBudget: ShutdownBudget { ShutdownBudget(total: shutdownGrace.duration) }

    var serverConfiguration: HTTPServerConfiguration {
        var configuration = HTTPServerConfiguration.default
        configuration.host = host
        configuration.port = port
        configuration.backlog = backlog
        configuration.limits.maxRequestLineBytes = maxRequestLine.bytes
        configuration.limits.maxHeaderBytes = maxHeaderBytes.bytes
        configuration.limits.maxHeaderCount = maxHeaders
        configuration.limits.maxBodyBytes = maxBody.bytes
        configuration.headerTimeout = headerTimeout.duration
        configuration.bodyTimeout = bodyTimeout.duration
        configuration.idleTimeout = idleTimeout.duration
        configuration.writeTimeout = writeTimeout.duration
        configuration.maxRequestsPerConnection = maxRequestsPerConnection
        configuration.maxConnections = maxConnections
        configuration.requestBufferBudget = requestBufferBudget.bytes
        configuration.shutdownGrace = shutdownBudget.drain
        return configuration
    }

    /// `HOST:PORT` or `[IPv6]:PORT` with a port of 1-65535.
    static func hostAndPort(_ text: String) -> (host: String, port: Int)? {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (1...65535).contains(port) else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("[") {
            guard host.hasSuffix("]"), host.count > 2 else { return nil }
            host = String(host.dropFirst().dropLast())
        } else if host.contains(":") {
            return nil
        }
        guard !host.isEmpty, !host.contains(where: { $0.isWhitespace }) else { return nil }
        return (host, port)
    }

    /// The metrics listener's configuration (the main one's limits, its own address).
    var metricsServerConfiguration: HTTPServerConfiguration? {
        guard let metricsListen, let listen = Self.hostAndPort(metricsListen) else { return nil }
        var configuration = serverConfiguration
        configuration.host = listen.host
        configuration.port = listen.port
        return configuration
    }
}

extension Duration {
    /// Whether it is a whole number of seconds (Connector/C's timeouts are).
    fileprivate var isWholeSeconds: Bool { components.attoseconds == 0 }
}
