import CLinuxShim
public import Logging
public import Persistence
import Server
public import ServiceLifecycle

/// Brings the database side up while the listeners already answer probes: migrate,
/// seed a fresh catalog, load the catalog and the counter — each step retried with
/// backoff while the database is unreachable — then marks the instance ready (which
/// sends `READY=1`). Until then `/readyz` says 503 with the step it is on.
public struct StartupService: Service {
    let store: any Store
    let picker: GifPicker
    let counter: VisitorCounter
    let readiness: Readiness
    let seed: @Sendable () -> [NewGif]
    let logger: Logger

    public init(
        store: any Store, picker: GifPicker, counter: VisitorCounter, readiness: Readiness,
        seed: @escaping @Sendable () -> [NewGif], logger: Logger
    ) {
        self.store = store
        self.picker = picker
        self.counter = counter
        self.readiness = readiness
        self.seed = seed
        self.logger = logger
    }

    public func run() async throws {
        guard try await step("migrating the database", { try await store.migrate() }) else { return }
        guard
            try await step(
                "seeding the catalog",
                {
                    let added = try await store.seedIfNeverSeeded(seed())
                    if added > 0 { logger.info("seeded the catalog", metadata: ["gifs": "\(added)"]) }
                })
        else { return }
        // Views a previous process spooled at its shutdown are written before this one is
        // ready (each batch once, even if that process's last write half-succeeded).
        guard try await step("writing spooled views", { _ = try await counter.replaySpools() }) else { return }
        guard try await step("loading the catalog", { try await picker.refresh() }) else { return }
        guard try await step("loading the visitor count", { try await counter.load() }) else { return }
        await pruneLedger()
        let schema = (try? await store.schemaVersion()) ?? 0
        let gifs = await picker.catalog.count
        logger.info("database ready", metadata: ["store": "\(store.kind)", "schema_version": "\(schema)", "gifs": "\(gifs)"])
        readiness.markReady()
        try? await gracefulShutdown()
    }

    /// Ledger rows are kept for 30 days after an instance's last write: longer than any
    /// spool waits for its replay. A failure only delays the pruning to the next start.
    static let ledgerRetentionSeconds: Int64 = 30 * 24 * 3600

    private func pruneLedger() async {
        let cutoff = barkd_realtime_seconds() - Self.ledgerRetentionSeconds
        do {
            let pruned = try await store.pruneVisitLedger(before: cutoff)
            if pruned > 0 { logger.info("pruned the visitor counter ledger", metadata: ["instances": "\(pruned)"]) }
        } catch {
            logger.warning("cannot prune the visitor counter ledger", metadata: ["error": "\(error)"])
        }
    }

    /// Retries of a failed step: 200 ms doubling to 5 s.
    static let stepBackoff = Backoff(initial: .milliseconds(200), maximum: .seconds(5))

    /// Runs `body` until it succeeds (true) or shutdown begins (false).
    private func step(_ name: String, _ body: () async throws -> Void) async throws -> Bool {
        readiness.starting(name)
        var failures = 0
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                try await body()
                return true
            } catch StoreError.migration(let reason) {
                logger.critical("cannot migrate the database", metadata: ["error": "\(reason)"])
                throw StoreError.migration(reason)
            } catch {
                failures += 1
                let delay = Self.stepBackoff.delay(afterFailures: failures)
                logger.warning("start-up step failed; retrying", metadata: ["step": "\(name)", "error": "\(error)", "retry_in": "\(delay)"])
                // /readyz shows the step and the kind of failure, never the driver's text.
                readiness.starting("\(name): \(StoreError.publicSummary(of: error))")
                do { try await Task.sleep(for: delay) } catch { return false }
            }
        }
        return false
    }
}
