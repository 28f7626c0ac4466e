import Logging
import Persistence
import ServiceLifecycle

/// Counts every page view, exactly, and makes the counts durable.
///
/// `batched` (default): a view is counted in memory and the pending delta is written as
/// one atomic `count = count + delta` every flush interval, retried with backoff while
/// the database is down, and flushed at shutdown. A SIGKILL loses at most the views of
/// the last flush interval (plus any backlog accumulated during an outage).
/// `sync`: each view is written before its page is sent; a SIGKILL loses nothing that
/// was answered. If the database is down, the view is kept pending like in batched mode
/// (and the page still served), so nothing is lost while the process lives.
public actor VisitorCounter: Service {
    public enum Mode: Sendable, Equatable {
        case batched(flushInterval: Duration)
        case sync
    }

    private let store: any Store
    private let mode: Mode
    private let logger: Logger
    private var state = CounterFlushState(stored: 0)
    /// Views counted since start (this instance), for metrics.
    public private(set) var pageViews: Int64 = 0
    /// This process's id in the visit ledger, and the number of its last batched flush.
    private let instance = VisitorCounter.randomInstanceID()
    private var flushSequence: Int64 = 0

    /// 32 random lowercase hex digits.
    static func randomInstanceID() -> String {
        (0..<16).map { _ in
            let byte = UInt8.random(in: 0...255)
            return String(byte >> 4, radix: 16) + String(byte & 15, radix: 16)
        }.joined()
    }

    public init(store: any Store, mode: Mode, logger: Logger) {
        self.store = store
        self.mode = mode
        self.logger = logger
    }

    /// Reads the stored total (at start).
    public func load() async throws {
        state.observeStored(try await store.visitorCount())
    }

    /// Counts one view and returns the visitor number to show.
    public func recordView() async -> Int64 {
        pageViews += 1
        guard mode == .sync else { return state.recordView() }
        do {
            // Sync writes may overlap, so each is its own ledger instance (sequence 1).
            let total = try await store.applyVisits(VisitBatch(instance: Self.randomInstanceID(), sequence: 1, delta: 1)).total
            state.recordWrittenView(total: total)
            return total
        } catch {
            logger.warning("visit write failed; kept pending", metadata: ["error": "\(error)"])
            return state.recordView()
        }
    }

    /// The stored total plus what this instance has not written yet.
    public var count: Int64 { state.displayed }

    /// Views counted here and not yet durable.
    public var unflushed: Int64 { state.unflushed }

    /// The bookkeeping, for tests and `/health`.
    public var snapshot: CounterFlushState { state }

    /// Writes the pending delta once; true when nothing is left pending.
    @discardableResult
    public func flush() async -> Bool {
        guard let delta = state.beginFlush() else { return state.unflushed == 0 }
        do {
            flushSequence += 1
            let total = try await store.applyVisits(VisitBatch(instance: instance, sequence: flushSequence, delta: delta)).total
            state.flushSucceeded(total: total)
        } catch {
            state.flushFailed()
            logger.warning(
                "visitor counter flush failed; will retry",
                metadata: [
                    "error": "\(error)", "pending": "\(state.pending)", "retry_in": "\(state.retryDelay)",
                ])
        }
        return state.unflushed == 0
    }

    /// The flush interval, or the retry backoff after failures (sync mode only retries).
    private var nextFlushDelay: Duration {
        if state.consecutiveFailures > 0 { return state.retryDelay }
        if case .batched(let flushInterval) = mode { return flushInterval }
        return .seconds(1)
    }

    /// Flushes on the interval (or the retry backoff) until shutdown, then flushes what
    /// is left, retrying until it is written or the task is cancelled.
    public func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try await Task.sleep(for: await self.nextFlushDelay)
                await self.flush()
            }
        }
        while !Task.isCancelled {
            if await flush() {
                logger.info("visitor counter flushed", metadata: ["stored": "\(state.stored)"])
                return
            }
            try? await Task.sleep(for: state.retryDelay)
        }
        if state.unflushed > 0 {
            logger.error("visitor counter not flushed at exit", metadata: ["lost_views": "\(state.unflushed)"])
        }
    }
}
