import Foundation
import Synchronization
import Testing

@testable import Persistence

/// ``SQLConnection/transaction(_:_:)``: a failed COMMIT rolls back, and a connection whose
/// rollback fails is discarded by the pool.
@Suite("Transactions")
struct TransactionTests {
    /// A real COMMIT failure: SQLite checks a deferred foreign key at COMMIT, fails it,
    /// and leaves the transaction open (unless rolled back).
    @Test func failedCommitOnSQLiteRollsBack() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("barkd-tx-\(UInt32.random(in: 0...UInt32.max))").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let connection = try SQLiteConnection.open(path: directory + "/t.sqlite3", busyTimeout: .seconds(1))
        defer { connection.close() }
        try connection.execute("CREATE TABLE parent (id INTEGER PRIMARY KEY)")
        try connection.execute(
            "CREATE TABLE child (id INTEGER PRIMARY KEY, parent INTEGER REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED)")

        #expect {
            try connection.transaction("BEGIN IMMEDIATE") { () throws(DatabaseError) in
                try connection.execute("INSERT INTO child (id, parent) VALUES (1, 99)")
            }
        } throws: { error in
            (error as? DatabaseError)?.kind == .constraint
        }
        // Not left inside the failed transaction: nothing was kept, and a new one begins.
        #expect(try connection.query("SELECT COUNT(*) FROM child", []).first?.integer(0) == 0)
        let committed = try connection.transaction("BEGIN IMMEDIATE") { () throws(DatabaseError) -> Int64 in
            try connection.execute("INSERT INTO parent (id) VALUES (99)")
            try connection.execute("INSERT INTO child (id, parent) VALUES (1, 99)")
            return 1
        }
        #expect(committed == 1)
        #expect(try connection.query("SELECT COUNT(*) FROM child", []).first?.integer(0) == 1)
    }

    @Test func failedCommitIssuesRollbackAndKeepsTheConnection() throws {
        let connection = ScriptedConnection(failing: ["COMMIT": DatabaseError(.busy, code: 5, "database is locked")])
        #expect(throws: DatabaseError(.busy, code: 5, "database is locked")) {
            try connection.transaction("BEGIN") { () throws(DatabaseError) in try connection.execute("UPDATE t") }
        }
        #expect(connection.statements == ["BEGIN", "UPDATE t", "COMMIT", "ROLLBACK"])
    }

    @Test func brokenCommitIsNotRolledBackOnTheDeadConnection() throws {
        let connection = ScriptedConnection(failing: ["COMMIT": DatabaseError(.broken, code: 2013, "lost connection")])
        #expect(throws: DatabaseError(.broken, code: 2013, "lost connection")) {
            try connection.transaction("BEGIN") { () throws(DatabaseError) in () }
        }
        #expect(connection.statements == ["BEGIN", "COMMIT"])
    }

    @Test func failedRollbackMakesTheErrorBreakTheConnection() throws {
        let connection = ScriptedConnection(failing: [
            "COMMIT": DatabaseError(.other, code: 1, "commit refused"),
            "ROLLBACK": DatabaseError(.other, code: 2, "rollback refused"),
        ])
        #expect {
            try connection.transaction("BEGIN") { () throws(DatabaseError) in () }
        } throws: { error in
            guard let error = error as? DatabaseError else { return false }
            return error.breaksConnection && error.message.contains("commit refused") && error.message.contains("rollback refused")
        }
        #expect(connection.statements == ["BEGIN", "COMMIT", "ROLLBACK"])
    }

    /// In the pool: a connection whose COMMIT and ROLLBACK failed is closed and replaced;
    /// one whose COMMIT failed but rolled back is kept.
    @Test func poolDiscardsAConnectionLeftInAnUnknownTransaction() async throws {
        let connector = ScriptedConnector()
        let pool = ConnectionPool(name: "t-tx", size: 1, configuration: DatabasePoolConfiguration(size: 1), connector: connector)
        let transaction: @Sendable (any SQLConnection) throws(DatabaseError) -> Int = { connection in
            try connection.transaction("BEGIN") { () throws(DatabaseError) -> Int in 1 }
        }
        connector.failing = ["COMMIT": DatabaseError(.busy, code: 5, "database is locked")]
        await #expect(throws: StoreError.busy) { try await pool.run("tx", transaction) }
        #expect(connector.opened == 1 && connector.closed == 0)

        connector.failing = [
            "COMMIT": DatabaseError(.other, code: 1, "commit refused"), "ROLLBACK": DatabaseError(.other, code: 2, "rollback refused"),
        ]
        await #expect(throws: StoreError.self) { try await pool.run("tx", transaction) }
        #expect(connector.closed == 1)

        connector.failing = [:]
        #expect(try await pool.run("tx", transaction) == 1)
        #expect(connector.opened == 2)
        await pool.close()
    }
}

/// Opens ``ScriptedConnection``s that fail the statements named in `failing`.
final class ScriptedConnector: SQLConnector, Sendable {
    private struct State {
        var failing: [String: DatabaseError] = [:]
        var opened = 0
        var closed = 0
    }

    private let state = Mutex(State())

    var failing: [String: DatabaseError] {
        get { state.withLock { $0.failing } }
        set { state.withLock { $0.failing = newValue } }
    }
    var opened: Int { state.withLock { $0.opened } }
    var closed: Int { state.withLock { $0.closed } }

    func connect() throws(DatabaseError) -> any SQLConnection {
        state.withLock { $0.opened += 1 }
        return ScriptedConnection(connector: self)
    }

    func didClose() { state.withLock { $0.closed += 1 } }
}

/// A connection that records its statements and fails those it is told to.
final class ScriptedConnection: SQLConnection {
    private let fixedFailures: [String: DatabaseError]
    private let connector: ScriptedConnector?
    private(set) var statements: [String] = []

    init(failing: [String: DatabaseError]) {
        self.fixedFailures = failing
        self.connector = nil
    }

    init(connector: ScriptedConnector) {
        self.fixedFailures = [:]
        self.connector = connector
    }

    func execute(_ sql: String, _ parameters: [SQLValue]) throws(DatabaseError) -> SQLExecution {
        statements.append(sql)
        if let error = (connector?.failing ?? fixedFailures)[sql] { throw error }
        return SQLExecution(affectedRows: 0, lastInsertID: 0)
    }

    func query(_ sql: String, _ parameters: [SQLValue]) throws(DatabaseError) -> [SQLRow] {
        _ = try execute(sql, parameters)
        return []
    }

    func ping() throws(DatabaseError) {}
    func close() { connector?.didClose() }
    func tableExists(_ name: String) throws(DatabaseError) -> Bool { false }
    let beginWriteSQL = "BEGIN"
    let beginMigrationSQL = "BEGIN"
    let insertSeedMarkerSQL = ""
    let lockingReadSuffix = ""
    let migrations: [Migration] = []
    func withMigrationLock<T>(_ body: () throws(DatabaseError) -> T) throws(DatabaseError) -> T { try body() }
}
