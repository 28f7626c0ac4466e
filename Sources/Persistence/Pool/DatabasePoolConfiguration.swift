public import Logging

/// How a store's connection pool behaves (`--db-pool-size` and friends).
public struct DatabasePoolConfiguration: Sendable {
    /// Connections, each on its own thread (`--db-pool-size`, default 4).
    public var size: Int
    /// Callers that may wait for a connection when all are busy; more get
    /// ``StoreError/busy`` at once (0: never wait).
    public var queueLimit: Int
    /// How long a caller waits for a connection before ``StoreError/busy``.
    public var waitTimeout: Duration
    /// The first delay before reconnecting after a failed connect; doubles per failure.
    public var reconnectInitialDelay: Duration
    /// The longest delay between reconnect attempts.
    public var reconnectMaximumDelay: Duration
    /// A connection idle for longer is checked with a ping before use (a MariaDB server
    /// may have closed it); so is every connection after another one broke.
    public var validateAfterIdle: Duration
    /// Called with each wait for a connection (for a histogram); runs on the caller's
    /// context and must be quick.
    public var waitObserver: (@Sendable (Duration) -> Void)?
    /// Where connection trouble is reported (a connection broke, connecting failed —
    /// the first time and then at doubling intervals —, reconnected); nil: not logged.
    /// Runs on the database threads.
    public var logger: Logger?

    /// The defaults: 4 connections, 256 waiters for at most 2 s, reconnect after 100 ms
    /// doubling up to 5 s (with jitter), validate connections idle for 30 s.
    public init(
        size: Int = 4,
        queueLimit: Int = 256,
        waitTimeout: Duration = .seconds(2),
        reconnectInitialDelay: Duration = .milliseconds(100),
        reconnectMaximumDelay: Duration = .seconds(5),
        validateAfterIdle: Duration = .seconds(30),
        waitObserver: (@Sendable (Duration) -> Void)? = nil,
        logger: Logger? = nil
    ) {
        precondition(size >= 1, "a database pool needs at least one connection")
        precondition(queueLimit >= 0, "the pool's queue limit cannot be negative")
        self.size = size
        self.queueLimit = queueLimit
        self.waitTimeout = waitTimeout
        self.reconnectInitialDelay = reconnectInitialDelay
        self.reconnectMaximumDelay = reconnectMaximumDelay
        self.validateAfterIdle = validateAfterIdle
        self.waitObserver = waitObserver
        self.logger = logger
    }

    /// The defaults, in one place: barkd's command line shows and uses these.
    public static let `default` = DatabasePoolConfiguration()
}
