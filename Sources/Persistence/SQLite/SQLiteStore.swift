import Logging

/// The embedded default store: a SQLite file `<dataDirectory>/barkd.sqlite3` in WAL mode.
///
/// SQLite allows one writer at a time, so writes go through a single writer connection
/// (its own thread and queue) while reads use `max(1, size - 1)` reader connections;
/// write transactions begin `IMMEDIATE`, and the busy timeout covers other processes on
/// the same file. The directory is created on first use, on a database thread.
public final class SQLiteStore: PoolBackedStore {
    /// "sqlite".
    public let kind = "sqlite"
    /// The database file.
    public let path: String
    let readPool: ConnectionPool
    let writePool: ConnectionPool

    /// A store on `<dataDirectory>/barkd.sqlite3` (nothing is opened until first use).
    ///
    /// - Parameters:
    ///   - dataDirectory: `--data-dir` (created if missing).
    ///   - pool: connections and queue; `size` counts the writer plus the readers.
    ///   - busyTimeout: how long a statement waits for another process's lock.
    public init(dataDirectory: String, pool: DatabasePoolConfiguration = .init(), busyTimeout: Duration = .seconds(5)) {
        let directory = dataDirectory.isEmpty ? "." : dataDirectory
        let path = directory.hasSuffix("/") ? "\(directory)barkd.sqlite3" : "\(directory)/barkd.sqlite3"
        self.path = path
        let connector = SQLiteConnector(directory: directory, path: path, busyTimeout: busyTimeout)
        writePool = ConnectionPool(name: "db-sqlite-w", size: 1, configuration: pool, connector: connector)
        readPool = ConnectionPool(name: "db-sqlite-r", size: max(1, pool.size - 1), configuration: pool, connector: connector)
    }
}

/// Opens the store's file, creating its directory first.
struct SQLiteConnector: SQLConnector {
    var directory: String
    var path: String
    var busyTimeout: Duration

    func connect() throws(DatabaseError) -> any SQLConnection {
        if let failure = Directory.create(directory) {
            throw DatabaseError(.connect, "cannot create the data directory \(directory): \(failure)")
        }
        return try SQLiteConnection.open(path: path, busyTimeout: busyTimeout)
    }
}
