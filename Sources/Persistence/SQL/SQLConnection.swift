/// One open database connection with blocking calls, confined to its database thread
/// (its ``ConnectionActor``): never `Sendable`, never touched anywhere else.
///
/// Each driver supplies the few statements that differ between SQL dialects; the store's
/// queries (``StoreQueries``) and the ``Migrator`` are written once on top.
protocol SQLConnection: AnyObject {
    /// Runs a statement that returns no rows.
    @discardableResult
    func execute(_ sql: String, _ parameters: [SQLValue]) throws(DatabaseError) -> SQLExecution

    /// Runs a statement and returns all its rows.
    func query(_ sql: String, _ parameters: [SQLValue]) throws(DatabaseError) -> [SQLRow]

    /// One round trip (checks that the connection still works).
    func ping() throws(DatabaseError)

    /// Closes the connection (it is not used afterwards).
    func close()

    /// Begins a transaction that will write (SQLite takes the write lock at once).
    var beginWriteSQL: String { get }

    /// Inserts the single `seed_marker` row (id 1, `seeded_at` = parameter 1) unless it
    /// exists: one affected row means this call seeded the database.
    var insertSeedMarkerSQL: String { get }

    /// Whether a table of this name exists in the connection's database.
    func tableExists(_ name: String) throws(DatabaseError) -> Bool

    /// The schema, oldest migration first.
    var migrations: [Migration] { get }

    /// Runs `body` while no other process migrates this database.
    func withMigrationLock<T>(_ body: () throws(DatabaseError) -> T) throws(DatabaseError) -> T

    /// Begins a migration's transaction (SQLite: exclusive, the lock between processes).
    var beginMigrationSQL: String { get }

    /// Appended to a `SELECT` that must lock the rows it reads until the transaction ends
    /// (MariaDB `FOR UPDATE`; SQLite: empty, its write transaction already excludes
    /// every other writer).
    var lockingReadSuffix: String { get }
}

extension SQLConnection {
    @discardableResult
    func execute(_ sql: String) throws(DatabaseError) -> SQLExecution {
        try execute(sql, [])
    }

    /// Runs `body` in a transaction begun with `begin`; rolls back when `body` or the
    /// `COMMIT` throws, so a pooled connection is never left inside a transaction. When
    /// the rollback fails too (or the connection broke), the error is one that
    /// ``DatabaseError/breaksConnection``: the pool closes the connection.
    func transaction<T>(
        _ begin: String,
        _ body: () throws(DatabaseError) -> T
    ) throws(DatabaseError) -> T {
        try execute(begin)
        let result: T
        do {
            result = try body()
        } catch {
            throw rolledBack(after: error)
        }
        do {
            try execute("COMMIT")
        } catch {
            // The outcome is unknown when the connection broke during COMMIT (the server
            // may have committed): the caller's retry must be idempotent.
            throw rolledBack(after: error)
        }
        return result
    }

    /// Rolls the open transaction back after `error`; returns the error to throw.
    private func rolledBack(after error: DatabaseError) -> DatabaseError {
        if error.breaksConnection { return error }
        do {
            try execute("ROLLBACK")
            return error
        } catch let rollbackError {
            // Still inside the transaction, or in an unknown state: never reuse it.
            return DatabaseError(
                .broken, code: error.code, "\(error.message); ROLLBACK failed: \(rollbackError.description)")
        }
    }
}
