import Logging
import Synchronization

/// A pool's connection health, reconnect backoff and counters, shared by the pool (any
/// thread) and its connection actors (their database threads) behind one `Mutex`.
final class PoolMonitor: Sendable {
    enum SlotHealth: Sendable {
        case unopened
        case connected
        case broken
    }

    private struct State {
        var backoff: ReconnectBackoff
        var slots: [SlotHealth]
        /// Bumped whenever a connection breaks: the others are validated before next use.
        var epoch: UInt64 = 0
        var totalWaits = 0
        var totalWaitNanoseconds: UInt64 = 0
        var queueFullRejections = 0
        var waitTimeouts = 0
        var connectsTotal = 0
        var connectFailuresTotal = 0
        var brokenTotal = 0
        var errorsByOperation: [String: Int] = [:]
    }

    private let state: Mutex<State>
    private let name: String
    private let logger: Logger?

    init(name: String, size: Int, configuration: DatabasePoolConfiguration) {
        self.name = name
        self.logger = configuration.logger
        state = Mutex(
            State(
                backoff: ReconnectBackoff(
                    initial: configuration.reconnectInitialDelay,
                    maximum: configuration.reconnectMaximumDelay),
                slots: Array(repeating: .unopened, count: size)
            ))
    }

    var epoch: UInt64 { state.withLock { $0.epoch } }

    func mayConnect(now: UInt64) -> ReconnectBackoff.Decision {
        state.withLock { $0.backoff.mayConnect(now: now) }
    }

    func connected(slot: Int) {
        let failuresBefore = state.withLock {
            let failures = $0.backoff.failures
            $0.backoff.succeeded()
            $0.slots[slot] = .connected
            $0.connectsTotal += 1
            return failures
        }
        if failuresBefore > 0 {
            logger?.notice("database reconnected", metadata: ["pool": "\(name)", "failed_attempts": "\(failuresBefore)"])
        }
    }

    func connectFailed(slot: Int, error: DatabaseError, now: UInt64) {
        let failures = state.withLock {
            $0.backoff.failed(now: now, error: error.description, random: Double.random(in: 0..<1))
            $0.slots[slot] = .broken
            $0.connectFailuresTotal += 1
            return $0.backoff.failures
        }
        // The first failure, then the 2nd, 4th, 8th…: an outage does not flood the log.
        if failures & (failures - 1) == 0 {
            logger?.warning(
                "cannot connect to the database",
                metadata: [
                    "pool": "\(name)", "error": "\(error)", "failed_attempts": "\(failures)",
                ])
        }
    }

    func broke(slot: Int, error: DatabaseError) {
        state.withLock {
            $0.slots[slot] = .broken
            $0.brokenTotal += 1
            $0.epoch &+= 1
        }
        logger?.warning("database connection broke; it will be replaced", metadata: ["pool": "\(name)", "error": "\(error)"])
    }

    func closed(slot: Int) {
        state.withLock { $0.slots[slot] = .unopened }
    }

    func recordError(operation: String) {
        state.withLock { $0.errorsByOperation[operation, default: 0] += 1 }
    }

    func recordWait(nanoseconds: UInt64, timedOut: Bool) {
        state.withLock {
            $0.totalWaits += 1
            $0.totalWaitNanoseconds += nanoseconds
            if timedOut { $0.waitTimeouts += 1 }
        }
    }

    func recordQueueFull() {
        state.withLock { $0.queueFullRejections += 1 }
    }

    /// Fills the health and counter fields of `stats`.
    func fill(_ stats: inout DatabasePoolStats) {
        state.withLock { state in
            stats.connected = state.slots.count { $0 == .connected }
            stats.broken = state.slots.count { $0 == .broken }
            stats.totalWaits = state.totalWaits
            stats.totalWaitTime = .nanoseconds(Int64(clamping: state.totalWaitNanoseconds))
            stats.queueFullRejections = state.queueFullRejections
            stats.waitTimeouts = state.waitTimeouts
            stats.connectsTotal = state.connectsTotal
            stats.connectFailuresTotal = state.connectFailuresTotal
            stats.brokenTotal = state.brokenTotal
            stats.errorsByOperation = state.errorsByOperation
        }
    }
}
