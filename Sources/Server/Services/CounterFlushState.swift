/// The visitor counter's bookkeeping, as a plain value: what is stored, what this
/// instance counted but has not written, and what is being written now.
///
/// Invariant: every counted view is in exactly one of `pending` and `inFlight` until a
/// write of it succeeds, when it moves into `stored`. A failed write puts its delta back
/// into `pending`, so a database outage loses nothing while the process lives.
public struct CounterFlushState: Sendable, Equatable {
    /// The total the database reported at the last successful write or read.
    public private(set) var stored: Int64
    /// Views counted here and not yet written.
    public private(set) var pending: Int64 = 0
    /// The delta of the write under way (0 when none).
    public private(set) var inFlight: Int64 = 0
    /// Failed writes in a row (drives the retry backoff).
    public private(set) var consecutiveFailures = 0

    public init(stored: Int64) {
        self.stored = stored
    }

    /// What a visitor is told: the stored total plus everything counted here since.
    public var displayed: Int64 { stored + pending + inFlight }

    /// Views counted here but not yet durable.
    public var unflushed: Int64 { pending + inFlight }

    /// Counts one view; returns the number to show.
    public mutating func recordView() -> Int64 {
        pending += 1
        return displayed
    }

    /// Starts a write: the delta to add, or nil when nothing is pending or a write is
    /// already under way.
    public mutating func beginFlush() -> Int64? {
        guard inFlight == 0, pending > 0 else { return nil }
        inFlight = pending
        pending = 0
        return inFlight
    }

    /// The write succeeded and the database now holds `total`.
    public mutating func flushSucceeded(total: Int64) {
        inFlight = 0
        stored = total
        consecutiveFailures = 0
    }

    /// The write failed: its delta goes back to pending, to be retried.
    public mutating func flushFailed() {
        pending += inFlight
        inFlight = 0
        consecutiveFailures += 1
    }

    /// A view written synchronously by itself (sync mode): the database returned `total`,
    /// which already includes it. Totals of concurrent writes may arrive out of order.
    public mutating func recordWrittenView(total: Int64) {
        stored = max(stored, total)
    }

    /// The stored total was read again (another replica's views appear).
    public mutating func observeStored(_ total: Int64) {
        stored = total
    }

    /// How long to wait before retrying after failures: 250 ms doubling to 10 s.
    public var retryDelay: Duration {
        guard consecutiveFailures > 0 else { return .zero }
        let exponent = min(consecutiveFailures - 1, 6)
        return min(.milliseconds(250 * (1 << exponent)), .seconds(10))
    }
}
