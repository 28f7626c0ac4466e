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
        /// Queued: a ``release(_:)`` or ``removeWaiter(id:)`` will hand the waiter back.
        case enqueued
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
        return .enqueued
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

    /// Updates a queued waiter (e.g. to attach its timer); false when it is gone.
    mutating func updateWaiter(id: UInt64, _ update: (inout Waiter) -> Void) -> Bool {
        guard let index = waiters.firstIndex(where: { $0.id == id }) else { return false }
        update(&waiters[index].waiter)
        return true
    }

    /// Refuses new callers and returns every waiter (to be failed).
    mutating func close() -> [Queued] {
        isClosed = true
        defer { waiters.removeAll() }
        return Array(waiters)
    }
}
