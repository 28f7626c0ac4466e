public import Logging
public import Persistence
import Server
public import ServiceLifecycle

/// Watches the database for `/health`: pings it every `interval` and keeps the last round
/// trip or what went wrong. It does not touch readiness: every replica shares the
/// database, so an outage must not take them all out of rotation at once (the page is
/// served from the cached catalog and views stay pending); `/health` says `warn`.
public actor HealthReporter: Service {
    private let store: any Store
    private let interval: Duration
    private let logger: Logger
    /// The last successful ping's round trip, if the last ping succeeded.
    public private(set) var lastRoundTrip: Duration?
    /// What the last ping's failure may show to anyone (no driver text), if it failed.
    public private(set) var lastError: String?

    public init(store: any Store, interval: Duration = .seconds(1), logger: Logger) {
        self.store = store
        self.interval = interval
        self.logger = logger
    }

    /// Pings once.
    public func check() async {
        do {
            let roundTrip = try await store.ping()
            if lastError != nil { logger.info("database answers again", metadata: ["round_trip": "\(roundTrip)"]) }
            lastRoundTrip = roundTrip
            lastError = nil
        } catch {
            if lastError == nil { logger.warning("database does not answer", metadata: ["error": "\(error)"]) }
            lastRoundTrip = nil
            lastError = StoreError.publicSummary(of: error)
        }
    }

    public func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await self.check()
                try await Task.sleep(for: self.interval)
            }
        }
    }
}
