import CLinuxShim
import EventLoop

/// One database connection behind an actor whose executor is its own ``DatabaseThread``:
/// every blocking driver call runs on that thread, callers only suspend.
///
/// It opens its connection lazily (subject to the pool's reconnect backoff), validates it
/// with a ping after a long idle time or after another connection of the pool broke, and
/// closes and forgets a connection that broke: the next use opens a new one.
actor ConnectionActor {
    nonisolated let slot: Int
    private nonisolated let thread: DatabaseThread
    private let connector: any SQLConnector
    private let monitor: PoolMonitor
    private let validateAfterIdleNanoseconds: UInt64
    private var connection: (any SQLConnection)?
    /// The monitor's epoch when the connection was last known good.
    private var checkedEpoch: UInt64 = 0
    private var lastUsed: UInt64 = 0
    private var isClosed = false

    nonisolated var unownedExecutor: UnownedSerialExecutor {
        thread.asUnownedSerialExecutor()
    }

    init(slot: Int, threadName: String, connector: any SQLConnector, monitor: PoolMonitor, validateAfterIdle: Duration) {
        self.slot = slot
        self.thread = DatabaseThread(name: threadName)
        self.connector = connector
        self.monitor = monitor
        self.validateAfterIdleNanoseconds = validateAfterIdle.nanosecondsClamped
    }

    /// Runs `body` with the open connection (opening it first if needed).
    func run<T: Sendable>(
        _ body: @Sendable (any SQLConnection) throws(DatabaseError) -> T
    ) throws(DatabaseError) -> T {
        let connection = try ready()
        do {
            let result = try body(connection)
            lastUsed = barkd_monotonic_ns()
            return result
        } catch {
            if error.breaksConnection { discard(connection, error) }
            throw error
        }
    }

    /// Closes the connection; later calls fail (at store shutdown).
    func close() {
        isClosed = true
        connection?.close()
        connection = nil
        monitor.closed(slot: slot)
    }

    isolated deinit {
        connection?.close()
        thread.shutdown()
    }

    private func ready() throws(DatabaseError) -> any SQLConnection {
        guard !isClosed else { throw DatabaseError(.connect, "the store is closed") }
        let now = barkd_monotonic_ns()
        if let connection {
            let epoch = monitor.epoch
            let stale = epoch != checkedEpoch || now &- lastUsed > validateAfterIdleNanoseconds
            guard stale else { return connection }
            do {
                try connection.ping()
                checkedEpoch = epoch
                return connection
            } catch {
                discard(connection, error)
                if !error.breaksConnection { throw error }
            }
        }
        if case .wait(let reason) = monitor.mayConnect(now: now) {
            throw DatabaseError(.connect, reason)
        }
        let epoch = monitor.epoch
        do {
            let opened = try connector.connect()
            monitor.connected(slot: slot)
            connection = opened
            checkedEpoch = epoch
            lastUsed = barkd_monotonic_ns()
            return opened
        } catch {
            monitor.connectFailed(slot: slot, error: error, now: barkd_monotonic_ns())
            throw error
        }
    }

    private func discard(_ broken: any SQLConnection, _ error: DatabaseError) {
        broken.close()
        connection = nil
        monitor.broke(slot: slot, error: error)
    }
}
