/// Everything the HTTP server needs to know about where to listen and what to tolerate.
public struct HTTPServerConfiguration: Sendable {
    /// Host to bind (an IP literal or a name resolved at start-up).
    public var host = "127.0.0.1"
    /// Port to bind (0 picks a free port).
    public var port = 5000
    /// `listen(2)` backlog.
    public var backlog: Int32 = 1024
    /// Parser limits (request line, headers, body).
    public var limits = HTTPLimits()
    /// Time from a request's first byte until its header section must be complete (408).
    public var headerTimeout: Duration = .seconds(10)
    /// Time from the end of the header section until the body must be complete (408).
    public var bodyTimeout: Duration = .seconds(30)
    /// How long a keep-alive connection may sit idle between requests.
    public var idleTimeout: Duration = .seconds(60)
    /// How long one response write may wait for a slow reader.
    public var writeTimeout: Duration = .seconds(30)
    /// Requests served on one connection before it is closed.
    public var maxRequestsPerConnection = 10_000
    /// Open connections across all loops; beyond it, accepting pauses.
    public var maxConnections = 10_000
    /// Request bytes all connections together may hold beyond the buffer each reading
    /// connection is lent (4 KiB): a request that needs more while the budget is spent is
    /// answered 503 with `Connection: close`. Requests that fit the lent buffer are always read.
    public var requestBufferBudget = 64 * 1024 * 1024
    /// How long in-flight requests may run after SIGTERM before they are cancelled.
    public var shutdownGrace: Duration = .seconds(25)
    /// When the drain begins, how long a connection that has not sent its first request
    /// yet (accepted just before, or taken from the listener's backlog) waits for it;
    /// then it is answered 503 with `Connection: close`.
    public var drainFirstRequestWait: Duration = .seconds(1)
    /// Sockets passed by systemd socket activation (used instead of binding).
    public var inheritedListeners: [Int32] = []

    public init() {}

    /// The defaults, in one place: barkd's command line shows and uses these.
    public static let `default` = HTTPServerConfiguration()
}
