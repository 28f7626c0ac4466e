import CLinuxShim
import Glibc
import Synchronization
import Testing

@testable import Persistence

/// The pool and its threads with a fake driver: no database needed.
@Suite("Connection pool")
struct ConnectionPoolTests {
    static let quick = DatabasePoolConfiguration(
        size: 2, queueLimit: 16, waitTimeout: .seconds(2),
        reconnectInitialDelay: .milliseconds(30), reconnectMaximumDelay: .milliseconds(60)
    )

    @Test func runsEveryCallOnTheConnectionsOwnThread() async throws {
        let driver = FakeDriver()
        var configuration = Self.quick
        configuration.queueLimit = 64
        // This test is about threads, not timeouts: a loaded machine must not make the
        // 50 callers' wait for two connections time out.
        configuration.waitTimeout = .seconds(30)
        let pool = ConnectionPool(name: "t-thread", size: 2, configuration: configuration, connector: driver)
        let callerThread = barkd_gettid()
        let threads = try await withThrowingTaskGroup(of: (Int32, Int).self) { group in
            for _ in 0..<50 {
                group.addTask {
                    try await pool.run("probe") { connection throws(DatabaseError) in
                        let fake = connection as! FakeConnection
                        return (barkd_gettid(), fake.serial)
                    }
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        // Each connection always ran on the one thread that opened it.
        var threadOfConnection: [Int: Int32] = [:]
        for (thread, serial) in threads {
            #expect(thread != callerThread)
            #expect(threadOfConnection[serial, default: thread] == thread)
            threadOfConnection[serial] = thread
        }
        #expect(driver.openedOnThreads.count <= 2)
        for (serial, thread) in driver.openedOnThreads {
            #expect(threadOfConnection[serial] == nil || threadOfConnection[serial] == thread)
        }
        #expect(Set(threadOfConnection.values).count <= 2)
        await pool.close()
        #expect(driver.closedCount == driver.openedOnThreads.count)
    }

    @Test func brokenConnectionIsReplacedNeverReused() async throws {
        let driver = FakeDriver()
        let pool = ConnectionPool(name: "t-broken", size: 1, configuration: Self.quick, connector: driver)
        let first = try await pool.run("serial") { connection throws(DatabaseError) in (connection as! FakeConnection).serial }
        await #expect(throws: StoreError.self) {
            try await pool.run("break") { _ throws(DatabaseError) in
                throw DatabaseError(.broken, code: 2013, "lost connection")
            }
        }
        #expect(driver.closedCount == 1)
        let second = try await pool.run("serial") { connection throws(DatabaseError) in (connection as! FakeConnection).serial }
        #expect(second != first)
        let stats = pool.stats
        #expect(stats.brokenTotal == 1 && stats.connectsTotal == 2 && stats.connected == 1 && stats.broken == 0)
        #expect(stats.errorsByOperation == ["break": 1])
        await pool.close()
    }

    @Test func otherErrorsKeepTheConnection() async throws {
        let driver = FakeDriver()
        let pool = ConnectionPool(name: "t-keep", size: 1, configuration: Self.quick, connector: driver)
        await #expect(throws: StoreError.rejected("duplicate (1062)")) {
            try await pool.run("insert") { _ throws(DatabaseError) in
                throw DatabaseError(.constraint, code: 1062, "duplicate")
            }
        }
        try await pool.run("again") { _ throws(DatabaseError) in }
        #expect(driver.openedOnThreads.count == 1)
        await pool.close()
    }

    @Test func failedConnectsBackOffWithoutRetrying() async throws {
        let driver = FakeDriver()
        driver.failConnects(true)
        var configuration = Self.quick
        configuration.reconnectInitialDelay = .seconds(20)
        configuration.reconnectMaximumDelay = .seconds(20)
        let pool = ConnectionPool(name: "t-backoff", size: 2, configuration: configuration, connector: driver)
        await #expect(throws: StoreError.self) { try await pool.run("a") { _ throws(DatabaseError) in } }
        #expect(driver.connectAttempts == 1)
        // Within the backoff, callers on any slot fail at once without trying.
        driver.failConnects(false)
        for _ in 0..<3 {
            await #expect {
                try await pool.run("b") { _ throws(DatabaseError) in }
            } throws: { error in
                guard case .unavailable(let reason) = error as? StoreError else { return false }
                return reason.contains("reconnecting") && reason.contains("server down")
            }
        }
        #expect(driver.connectAttempts == 1)
        let stats = pool.stats
        #expect(stats.broken == 1 && stats.connectFailuresTotal == 1)
        #expect(stats.errorsByOperation == ["a": 1, "b": 3])
        await pool.close()
    }

    @Test func reconnectsAfterTheBackoff() async throws {
        let driver = FakeDriver()
        driver.failConnects(true)
        var configuration = Self.quick
        configuration.reconnectInitialDelay = .milliseconds(5)
        configuration.reconnectMaximumDelay = .milliseconds(5)
        let pool = ConnectionPool(name: "t-recover", size: 2, configuration: configuration, connector: driver)
        await #expect(throws: StoreError.self) { try await pool.run("a") { _ throws(DatabaseError) in } }
        driver.failConnects(false)
        try await Task.sleep(for: .milliseconds(20))
        try await pool.run("c") { _ throws(DatabaseError) in }
        #expect(driver.connectAttempts == 2)
        let stats = pool.stats
        #expect(stats.connectFailuresTotal == 1 && stats.broken == 0 && stats.connected == 1)
        await pool.close()
    }

    @Test func staleConnectionsArePingedAfterAnotherBroke() async throws {
        let driver = FakeDriver()
        let pool = ConnectionPool(name: "t-stale", size: 2, configuration: Self.quick, connector: driver)
        // Open both connections (two calls that wait for each other).
        let both = Gate(expected: 2)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<2 {
                group.addTask { try await pool.run("hold") { _ throws(DatabaseError) in both.arriveAndWait() } }
            }
            try await group.waitForAll()
        }
        #expect(driver.openedOnThreads.count == 2)
        driver.killAll()
        await #expect(throws: StoreError.self) {
            try await pool.run("query") { connection throws(DatabaseError) in try (connection as! FakeConnection).query() }
        }
        // The other connection is validated before its next use, finds itself dead and is
        // replaced: calls using both slots at once succeed.
        let again = Gate(expected: 2)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<2 {
                group.addTask {
                    try await pool.run("query") { connection throws(DatabaseError) in
                        try (connection as! FakeConnection).query()
                        again.arriveAndWait()
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(pool.stats.brokenTotal == 2)
        #expect(driver.openedOnThreads.count == 4)
        await pool.close()
    }

    /// A one-connection pool whose connection is held (until `gate` opens) while another
    /// caller waits in the queue.
    private func poolWithQueuedCaller(
        _ name: String
    ) async throws
        -> (pool: ConnectionPool, driver: FakeDriver, gate: Gate, holder: Task<Void, any Error>, waiter: Task<Void, any Error>)
    {
        let driver = FakeDriver()
        let pool = ConnectionPool(name: name, size: 1, configuration: Self.quick, connector: driver)
        let gate = Gate()
        let holder = Task { try await pool.run("hold") { _ throws(DatabaseError) in gate.arriveAndWait() } }
        try await waitUntil { pool.stats.busy == 1 }
        let waiter = Task { try await pool.run("wait") { _ throws(DatabaseError) in } }
        try await waitUntil { pool.stats.queueDepth == 1 }
        return (pool, driver, gate, holder, waiter)
    }

    @Test func cancelledWaiterLeavesTheQueue() async throws {
        let (pool, _, gate, holder, waiter) = try await poolWithQueuedCaller("t-cancel")
        waiter.cancel()
        await #expect(throws: CancellationError.self) { try await waiter.value }
        #expect(pool.stats.queueDepth == 0)
        gate.open()
        try await holder.value
        #expect(pool.stats.idle == 1)
        await pool.close()
    }

    @Test func closeFailsWaitersAndLaterCalls() async throws {
        let (pool, driver, gate, holder, waiter) = try await poolWithQueuedCaller("t-close")
        async let closed: Void = pool.close()
        await #expect(throws: StoreError.self) { try await waiter.value }
        gate.open()
        await closed
        try await holder.value
        await #expect(throws: StoreError.self) { try await pool.run("late") { _ throws(DatabaseError) in } }
        #expect(driver.closedCount == driver.openedOnThreads.count)
    }

    @Test func waitersTimeOutInOrderAfterTheWaitTimeout() async throws {
        var configuration = Self.quick
        configuration.waitTimeout = .milliseconds(150)
        let pool = ConnectionPool(name: "t-timeout", size: 1, configuration: configuration, connector: FakeDriver())
        let gate = Gate()
        let holder = Task { try await pool.run("hold") { _ throws(DatabaseError) in gate.arriveAndWait() } }
        try await waitUntil { pool.stats.busy == 1 }
        let clock = ContinuousClock()
        let start = clock.now
        let first = Task { () -> Duration in
            await #expect(throws: StoreError.busy) { try await pool.run("first") { _ throws(DatabaseError) in } }
            return clock.now - start
        }
        try await waitUntil { pool.stats.queueDepth == 1 }
        try await Task.sleep(for: .milliseconds(100))
        let second = Task { () -> Duration in
            await #expect(throws: StoreError.busy) { try await pool.run("second") { _ throws(DatabaseError) in } }
            return clock.now - start
        }
        let firstWaited = await first.value
        let secondWaited = await second.value
        // The upper bound only tells "the wait timeout fired" from "it waited for the holder".
        #expect(firstWaited >= .milliseconds(150) && firstWaited < .seconds(10), "\(firstWaited)")
        #expect(secondWaited >= .milliseconds(250), "each waiter gets the whole timeout: \(secondWaited)")
        #expect(pool.stats.queueDepth == 0)
        #expect(pool.stats.waitTimeouts == 2)
        // A new waiter after the queue emptied gets a new sweep.
        let third = Task { await #expect(throws: StoreError.busy) { try await pool.run("third") { _ throws(DatabaseError) in } } }
        _ = await third.value
        #expect(pool.stats.waitTimeouts == 3)
        gate.open()
        try await holder.value
        await pool.close()
    }

    @Test func waitObserverSeesEachWait() async throws {
        let waits = Mutex<[Duration]>([])
        var configuration = Self.quick
        configuration.size = 1
        configuration.waitObserver = { duration in waits.withLock { $0.append(duration) } }
        let pool = ConnectionPool(name: "t-observe", size: 1, configuration: configuration, connector: FakeDriver())
        let gate = Gate()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await pool.run("hold") { _ throws(DatabaseError) in gate.arriveAndWait() } }
            try await waitUntil { pool.stats.busy == 1 }
            for _ in 0..<2 {
                group.addTask { try await pool.run("next") { _ throws(DatabaseError) in } }
            }
            try await waitUntil { pool.stats.queueDepth == 2 }
            try await Task.sleep(for: .milliseconds(40))
            gate.open()
            try await group.waitForAll()
        }
        let observed = waits.withLock { $0 }
        #expect(observed.count == 2)
        #expect(pool.stats.totalWaits == 2)
        #expect(observed.allSatisfy { $0 >= .milliseconds(30) })
        await pool.close()
    }
}

@Suite("Database thread")
struct DatabaseThreadTests {
    actor Counter {
        let thread: DatabaseThread
        var values: [Int] = []
        var threadIDs: Set<Int32> = []
        nonisolated var unownedExecutor: UnownedSerialExecutor { thread.asUnownedSerialExecutor() }

        init(thread: DatabaseThread) { self.thread = thread }

        func append(_ value: Int) {
            values.append(value)
            threadIDs.insert(barkd_gettid())
            thread.checkIsolated()
        }
    }

    @Test func runsAnActorsJobsOnOneThreadInOrder() async {
        let thread = DatabaseThread(name: "t-db-thread")
        let counter = Counter(thread: thread)
        for value in 0..<200 {
            await counter.append(value)
        }
        #expect(await counter.values == Array(0..<200))
        #expect(await counter.threadIDs.count == 1)
        #expect(await !counter.threadIDs.contains(barkd_gettid()))
        thread.shutdown()
    }
}

/// Blocks database threads (polling, at most 10 s) until `expected` callers arrived or
/// the test opens it.
final class Gate: Sendable {
    private let expected: Int
    private let arrived = Atomic<Int>(0)
    private let isOpen = Atomic<Bool>(false)

    init(expected: Int = .max) {
        self.expected = expected
    }

    func open() {
        isOpen.store(true, ordering: .releasing)
    }

    func arriveAndWait() {
        if arrived.add(1, ordering: .acquiringAndReleasing).newValue >= expected { open() }
        for _ in 0..<10_000 where !isOpen.load(ordering: .acquiring) {
            _ = usleep(1000)
        }
    }
}

/// A fake driver: connections that count, can be killed, and record their threads.
final class FakeDriver: SQLConnector, @unchecked Sendable {
    // @unchecked: all mutable state is in `state` (a Mutex).
    private struct State {
        var serial = 0
        var openedOnThreads: [Int: Int32] = [:]
        var closedCount = 0
        var connectAttempts = 0
        var failConnects = false
        var killed: Set<Int> = []
    }

    private let state = Mutex(State())

    var openedOnThreads: [Int: Int32] { state.withLock { $0.openedOnThreads } }
    var closedCount: Int { state.withLock { $0.closedCount } }
    var connectAttempts: Int { state.withLock { $0.connectAttempts } }
    func failConnects(_ fail: Bool) { state.withLock { $0.failConnects = fail } }
    func killAll() { state.withLock { $0.killed.formUnion($0.openedOnThreads.keys) } }
    func isKilled(_ serial: Int) -> Bool { state.withLock { $0.killed.contains(serial) } }
    func closed() { state.withLock { $0.closedCount += 1 } }

    func connect() throws(DatabaseError) -> any SQLConnection {
        let serial: Int? = state.withLock { state in
            state.connectAttempts += 1
            guard !state.failConnects else { return nil }
            state.serial += 1
            state.openedOnThreads[state.serial] = barkd_gettid()
            return state.serial
        }
        guard let serial else { throw DatabaseError(.connect, code: 2003, "server down") }
        return FakeConnection(serial: serial, driver: self)
    }
}

final class FakeConnection: SQLConnection {
    let serial: Int
    let driver: FakeDriver

    init(serial: Int, driver: FakeDriver) {
        self.serial = serial
        self.driver = driver
    }

    func query() throws(DatabaseError) {
        if driver.isKilled(serial) { throw DatabaseError(.broken, code: 2006, "server has gone away") }
    }

    func execute(_ sql: String, _ parameters: [SQLValue]) throws(DatabaseError) -> SQLExecution {
        try query()
        return SQLExecution(affectedRows: 0, lastInsertID: 0)
    }

    func query(_ sql: String, _ parameters: [SQLValue]) throws(DatabaseError) -> [SQLRow] {
        try query()
        return []
    }

    func ping() throws(DatabaseError) { try query() }
    func close() { driver.closed() }
    func tableExists(_ name: String) throws(DatabaseError) -> Bool { false }
    let beginWriteSQL = "BEGIN"
    let beginMigrationSQL = "BEGIN"
    let insertSeedMarkerSQL = ""
    let migrations: [Migration] = []
    func withMigrationLock<T>(_ body: () throws(DatabaseError) -> T) throws(DatabaseError) -> T { try body() }
    let lockingReadSuffix = ""
}
