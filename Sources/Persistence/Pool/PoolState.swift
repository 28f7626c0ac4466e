import DequeModule

/// Which connection slots are lent out and who waits for one: the pool's bookkeeping as a
/// plain state machine (no locks, no I/O), tested on its own. ``ConnectionPool`` keeps it
/// in a `Mutex` and resumes the waiters it hands back.
struct PoolState<Waiter> {
    struct Queued {
        var id: UInt64
        var waiter: Waiter
        /// Monotonic nanoseconds when it started waiting.
        var since: UInt64
    }

    enum Acquisition {
        /// Use this slot now.
        case acquired(Int)
        /// Queued: a ``release(_:)``, ``removeWaiter(id:)`` or ``removeWaiters(waitingSince:)``
        /// will hand the waiter back. `startSweep`: no timeout sweep is scheduled, so the
        /// caller must start one (see ``nextSweep()``).
        case enqueued(startSweep: Bool)
        /// Every slot is busy and the queue is full.
        case queueFull
        /// The pool is closed.
        case closed
    }

    let size: Int
    let queueLimit: Int
    /// Idle slots, the most recently used last (reused first: warm connections).
    private(set) var idle: [Int]
    private(set) var waiters = Deque<Queued>()
    private(set) var isClosed = false
    /// Whether a timeout sweep is scheduled: started by the first waiter, it ends when it
    /// finds the queue empty. One sweep for all waiters replaces a timer per waiter.
    private(set) var sweepScheduled = false

    init(size: Int, queueLimit: Int) {
        self.size = size
        self.queueLimit = queueLimit
        self.idle = Array((0..<size).reversed())
    }

    var busyCount: Int { size - idle.count }

    /// Takes an idle slot, if any (never jumps the queue: slots are idle only when nobody waits).
    mutating func tryAcquire() -> Int? {
        guard !isClosed else { return nil }
        return idle.popLast()
    }

    /// Takes an idle slot or queues `waiter`.
    mutating func acquire(id: UInt64, waiter: Waiter, now: UInt64) -> Acquisition {
        if isClosed { return .closed }
        if let slot = idle.popLast() { return .acquired(slot) }
        guard waiters.count < queueLimit else { return .queueFull }
        waiters.append(Queued(id: id, waiter: waiter, since: now))
        defer { sweepScheduled = true }
        return .enqueued(startSweep: !sweepScheduled)
    }

    /// Returns a slot: hands it to the first waiter (returned, to be resumed with it) or
    /// makes it idle.
    mutating func release(_ slot: Int) -> Queued? {
        precondition(!idle.contains(slot), "slot \(slot) released twice")
        if let next = waiters.popFirst() { return next }
        idle.append(slot)
        return nil
    }

    /// Takes a waiter out of the queue (timed out or cancelled); nil when it was served.
    mutating func removeWaiter(id: UInt64) -> Queued? {
        guard let index = waiters.firstIndex(where: { $0.id == id }) else { return nil }
        return waiters.remove(at: index)
    }

    /// Takes out every waiter that started waiting at or before `cutoff` (timed out).
    /// Waiters queue in order and share one timeout, so they are at the front.
    mutating func removeWaiters(waitingSince cutoff: UInt64) -> [Queued] {
        var expired: [Queued] = []
        while let first = waiters.first, first.since <= cutoff {
            expired.append(waiters.removeFirst())
        }
        return expired
    }

    /// When the sweep should look next: the oldest waiter's start, or nil when nobody
    /// waits (the sweep ends, and the next waiter schedules a new one).
    mutating func nextSweep() -> UInt64? {
        if let first = waiters.first { return first.since }
        sweepScheduled = false
        return nil
    }

    /// Refuses new callers and returns every waiter (to be failed).
    mutating func close() -> [Queued] {
        isClosed = true
        defer { waiters.removeAll() }
        return Array(waiters)
    }
}
