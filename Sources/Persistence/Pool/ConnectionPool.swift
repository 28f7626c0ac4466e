import CLinuxShim
import EventLoop
import Synchronization

/// A fixed number of connections, each on its own database thread (``ConnectionActor``),
/// lent to one caller at a time. When all are busy, callers wait in a bounded FIFO queue
/// for at most the configured time, then get ``StoreError/busy``; a full queue refuses at
/// once. Waiting suspends the caller's task: no thread blocks.
final class ConnectionPool: Sendable {
    private struct Waiter {
        var continuation: CheckedContinuation<Int, any Error>
    }

    let name: String
    let configuration: DatabasePoolConfiguration
    let monitor: PoolMonitor
    private let connections: [ConnectionActor]
    private let state: Mutex<PoolState<Waiter>>
    private let waiterIDs = Atomic<UInt64>(0)

    /// Creates the pool and starts its threads (`name-0`, `name-1`, …); connections open
    /// on first use.
    init(name: String, size: Int, configuration: DatabasePoolConfiguration, connector: any SQLConnector) {
        self.name = name
        self.configuration = configuration
        let monitor = PoolMonitor(name: name, size: size, configuration: configuration)
        self.monitor = monitor
        self.connections = (0..<size).map { slot in
            ConnectionActor(
                slot: slot, threadName: "\(name)-\(slot)", connector: connector,
                monitor: monitor, validateAfterIdle: configuration.validateAfterIdle)
        }
        self.state = Mutex(PoolState(size: size, queueLimit: configuration.queueLimit))
    }

    /// Runs `body` on a connection's thread; `operation` names it in the error counters.
    @discardableResult
    func run<T: Sendable>(
        _ operation: String,
        _ body: @escaping @Sendable (any SQLConnection) throws(DatabaseError) -> T
    ) async throws -> T {
        let slot: Int
        do {
            slot = try await acquire()
        } catch {
            monitor.recordError(operation: operation)
            throw error
        }
        defer { release(slot) }
        do {
            return try await connections[slot].run(body)
        } catch {
            monitor.recordError(operation: operation)
            throw error.storeError
        }
    }

    /// Fails every waiter, then closes each connection on its thread (after the operation
    /// it may be running).
    func close() async {
        let waiters = state.withLock { $0.close() }
        for queued in waiters {
            queued.waiter.continuation.resume(throwing: StoreError.unavailable("the store is closed"))
        }
        for connection in connections {
            await connection.close()
        }
    }

    /// The pool's figures now.
    var stats: DatabasePoolStats {
        var stats = DatabasePoolStats(size: connections.count)
        state.withLock { state in
            stats.busy = state.busyCount
            stats.idle = state.size - state.busyCount
            stats.queueDepth = state.waiters.count
        }
        monitor.fill(&stats)
        return stats
    }

    // MARK: - Lending slots

    private func acquire() async throws -> Int {
        if let slot = state.withLock({ $0.tryAcquire() }) { return slot }
        let id = waiterIDs.add(1, ordering: .relaxed).newValue
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Int, any Error>) in
                if Task.isCancelled {
                    continuation.resume(throwing: CancellationError())
                    return
                }
                let now = barkd_monotonic_ns()
                let outcome = state.withLock {
                    $0.acquire(id: id, waiter: Waiter(continuation: continuation), now: now)
                }
                switch outcome {
                case .acquired(let slot):
                    continuation.resume(returning: slot)
                case .queueFull:
                    monitor.recordQueueFull()
                    continuation.resume(throwing: StoreError.busy)
                case .closed:
                    continuation.resume(throwing: StoreError.unavailable("the store is closed"))
                case .enqueued(let startSweep):
                    if startSweep { self.startSweep() }
                }
            }
        } onCancel: {
            if let queued = state.withLock({ $0.removeWaiter(id: id) }) {
                queued.waiter.continuation.resume(throwing: CancellationError())
            }
        }
    }

    private func release(_ slot: Int) {
        guard let next = state.withLock({ $0.release(slot) }) else { return }
        recordWait(since: next.since, timedOut: false)
        next.waiter.continuation.resume(returning: slot)
    }

    /// One task times out waiters for the whole pool: it sleeps until the oldest waiter's
    /// deadline, fails those past it with ``StoreError/busy``, and ends when nobody waits.
    /// (A timer task per waiter cost a task, a timer and a cancellation per queued query.)
    private func startSweep() {
        Task.detached { [weak self] in await self?.sweepTimeouts() }
    }

    private func sweepTimeouts() async {
        let timeout = configuration.waitTimeout.nanosecondsClamped
        while true {
            let now = barkd_monotonic_ns()
            let cutoff = now >= timeout ? now - timeout : 0
            let (expired, oldest) = state.withLock { state in
                (state.removeWaiters(waitingSince: cutoff), state.nextSweep())
            }
            for queued in expired {
                recordWait(since: queued.since, timedOut: true)
                queued.waiter.continuation.resume(throwing: StoreError.busy)
            }
            guard let oldest else { return }
            // Until the oldest waiter's deadline (a millisecond late, so it has passed).
            let deadline = oldest &+ timeout
            try? await Task.sleep(for: .nanoseconds(Int64(clamping: deadline > now ? deadline - now : 0) &+ 1_000_000))
        }
    }

    private func recordWait(since: UInt64, timedOut: Bool) {
        let waited = barkd_monotonic_ns() &- since
        monitor.recordWait(nanoseconds: waited, timedOut: timedOut)
        configuration.waitObserver?(.nanoseconds(Int64(clamping: waited)))
    }
}
