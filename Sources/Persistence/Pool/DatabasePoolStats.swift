/// A snapshot of a store's connection pool, for metrics (`barkd_db_pool_*`) and `/health`.
public struct DatabasePoolStats: Sendable, Equatable {
    /// Connections the pool may hold.
    public var size: Int
    /// Connections not lent to a caller right now.
    public var idle: Int
    /// Connections lent to a caller right now.
    public var busy: Int
    /// Open connections (the rest are not opened yet, closed, or broken).
    public var connected: Int
    /// Slots whose last connection broke or failed to connect and is not replaced yet.
    public var broken: Int
    /// Callers waiting for a connection right now.
    public var queueDepth: Int
    /// Callers that had to wait for a connection (served or timed out), ever.
    public var totalWaits: Int
    /// Total time callers spent waiting for a connection.
    public var totalWaitTime: Duration
    /// Callers refused with ``StoreError/busy`` because the queue was full.
    public var queueFullRejections: Int
    /// Callers refused with ``StoreError/busy`` because their wait timed out.
    public var waitTimeouts: Int
    /// Connections opened, ever (a reconnect counts again).
    public var connectsTotal: Int
    /// Failed attempts to connect.
    public var connectFailuresTotal: Int
    /// Connections closed because they broke.
    public var brokenTotal: Int
    /// Failed operations by ``Store`` method name ("addVisits", "gif", …).
    public var errorsByOperation: [String: Int]

    /// An empty pool of `size` connections.
    public init(size: Int = 0) {
        self.size = size
        self.idle = size
        self.busy = 0
        self.connected = 0
        self.broken = 0
        self.queueDepth = 0
        self.totalWaits = 0
        self.totalWaitTime = .zero
        self.queueFullRejections = 0
        self.waitTimeouts = 0
        self.connectsTotal = 0
        self.connectFailuresTotal = 0
        self.brokenTotal = 0
        self.errorsByOperation = [:]
    }

    /// The sum of two pools' figures (SQLite's writer and readers).
    public func adding(_ other: DatabasePoolStats) -> DatabasePoolStats {
        var sum = self
        sum.size += other.size
        sum.idle += other.idle
        sum.busy += other.busy
        sum.connected += other.connected
        sum.broken += other.broken
        sum.queueDepth += other.queueDepth
        sum.totalWaits += other.totalWaits
        sum.totalWaitTime += other.totalWaitTime
        sum.queueFullRejections += other.queueFullRejections
        sum.waitTimeouts += other.waitTimeouts
        sum.connectsTotal += other.connectsTotal
        sum.connectFailuresTotal += other.connectFailuresTotal
        sum.brokenTotal += other.brokenTotal
        sum.errorsByOperation.merge(other.errorsByOperation, uniquingKeysWith: +)
        return sum
    }
}

/// A store built on connection pools, whose figures can be exported as metrics.
public protocol PooledStore: Store {
    /// The pool's current figures (cheap: two short locks).
    var poolStats: DatabasePoolStats { get }
}
