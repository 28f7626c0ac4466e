public import Persistence
import Server

/// The visitor counter's bookkeeping, as a plain value: what is stored, what this
/// instance counted but has not written, and the batch being written.
///
/// Every write is a ``VisitBatch`` named by this instance and a sequence number, so the
/// database applies it at most once (``Store/applyVisits(_:)``). A batch whose write
/// failed stays the batch in flight, with the same sequence and delta, until a retry
/// settles it — applied now, or found already applied — because a failed write may have
/// been committed (the connection lost after COMMIT). Views counted meanwhile wait in
/// `pending` for the next batch. Invariant: every counted view is in exactly one of
/// `pending` and `inFlight` until its batch is settled, when it is part of `stored`.
public struct CounterFlushState: Sendable, Equatable {
    /// This process's name in the ledger: unique across instances and restarts.
    public let instance: String
    /// The total the database reported at the last write or read (it never decreases).
    public private(set) var stored: Int64
    /// Views counted here and not yet in a batch.
    public private(set) var pending: Int64 = 0
    /// The batch written now, or whose write failed and must be retried as it is.
    public private(set) var inFlight: VisitBatch?
    /// True while a write of `inFlight` is under way.
    public private(set) var isWriting = false
    /// The sequence the next new batch gets.
    public private(set) var nextSequence: Int64 = 1
    /// Failed writes in a row (drives the retry backoff).
    public private(set) var consecutiveFailures = 0

    public init(instance: String, stored: Int64 = 0) {
        self.instance = instance
        self.stored = stored
    }

    /// What a visitor is told: the stored total plus everything counted here since.
    public var displayed: Int64 { stored + unflushed }

    /// Views counted here but not yet durable in the database.
    public var unflushed: Int64 { pending + (inFlight?.delta ?? 0) }

    /// Counts `views` views; returns the number to show for the last of them.
    public mutating func recordViews(_ views: Int64 = 1) -> Int64 {
        pending += views
        return displayed
    }

    /// Starts a write: the batch in flight again (a retry), else a new batch of every
    /// pending view; nil while a write is under way or when nothing is unflushed.
    public mutating func beginWrite() -> VisitBatch? {
        guard !isWriting else { return nil }
        if inFlight == nil {
            guard pending > 0 else { return nil }
            inFlight = VisitBatch(instance: instance, sequence: nextSequence, delta: pending)
            nextSequence += 1
            pending = 0
        }
        isWriting = true
        return inFlight
    }

    /// The write settled: the batch is in the database (now or from an earlier attempt),
    /// which holds `total`.
    public mutating func writeSucceeded(total: Int64) {
        inFlight = nil
        isWriting = false
        stored = max(stored, total)
        consecutiveFailures = 0
    }

    /// The write failed, with an unknown outcome: the same batch is retried later.
    public mutating func writeFailed() {
        isWriting = false
        consecutiveFailures += 1
    }

    /// The stored total was read again (another replica's views appear).
    public mutating func observeStored(_ total: Int64) {
        stored = max(stored, total)
    }

    /// What must reach the database if this process stops now, in order: the batch in
    /// flight as it is, then the pending views as the next batch (the sequence it would
    /// get), so a later replay applies each exactly once.
    public var unflushedBatches: [VisitBatch] {
        var batches: [VisitBatch] = []
        if let inFlight { batches.append(inFlight) }
        if pending > 0 { batches.append(VisitBatch(instance: instance, sequence: nextSequence, delta: pending)) }
        return batches
    }

    /// Retries after failed writes: 250 ms doubling to 10 s.
    public static let retryBackoff = Backoff(initial: .milliseconds(250), maximum: .seconds(10))

    /// How long to wait before retrying after the failures so far (zero: none).
    public var retryDelay: Duration { Self.retryBackoff.delay(afterFailures: consecutiveFailures) }
}
