import Logging
import Persistence
import ServiceLifecycle

/// Watches the database: pings it every `interval` and turns readiness off while it does
/// not answer (so `/readyz` says 503 within about one interval plus the ping timeout).
/// Keeps the last round trip for `/health`.
public actor HealthReporter: Service {
    private let store: any Store
    private let readiness: Readiness
    private let interval: Duration
    private let logger: Logger
    /// The last successful ping's round trip, if the last ping succeeded.
    public private(set) var lastRoundTrip: Duration?
    /// The last ping's error, if it failed.
    public private(set) var lastError: String?

    public init(store: any Store, readiness: Readiness, interval: Duration = .seconds(1), logger: Logger) {
        self.store = store
        self.readiness = readiness
        self.interval = interval
        self.logger = logger
    }

    /// Pings once and updates readiness.
    public func check() async {
        do {
            let roundTrip = try await store.ping()
            if lastError != nil { logger.info("database answers again", metadata: ["round_trip": "\(roundTrip)"]) }
            lastRoundTrip = roundTrip
            lastError = nil
            readiness.setCheck("database", failing: nil)
        } catch {
            if lastError == nil { logger.warning("database does not answer", metadata: ["error": "\(error)"]) }
            lastRoundTrip = nil
            lastError = "\(error)"
            readiness.setCheck("database", failing: "\(error)")
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
