/// The production store: MariaDB (or MySQL) through Connector/C, one connection per
/// database thread.
///
/// Connections open on first use (``Store/migrate()`` at start-up opens the first) with
/// the configured timeouts; a connection that breaks is closed and replaced, and while
/// the server is unreachable, callers get ``StoreError/unavailable`` at once between
/// reconnect attempts (exponential backoff with jitter).
public final class MariaDBStore: PoolBackedStore {
    /// "mariadb".
    public let kind = "mariadb"
    /// Where it connects (printing it never shows a password).
    public let url: DatabaseURL
    let readPool: ConnectionPool
    var writePool: ConnectionPool { readPool }

    /// A store on `url` (nothing is opened until first use).
    ///
    /// - Parameters:
    ///   - url: `--database`, e.g. `mariadb://barkd@db:3306/barkd?tls=required`.
    ///   - password: from `BARKD_DB_PASSWORD_FILE` / `BARKD_DB_PASSWORD`; when nil, the
    ///     URL's own password (if any) is used.
    ///   - pool: connections and queue (`--db-pool-size`).
    ///   - timeouts: connect, read and write timeouts of each connection.
    public init(
        url: DatabaseURL,
        password: DatabasePassword? = nil,
        pool: DatabasePoolConfiguration = .init(),
        timeouts: MariaDBTimeouts = .init()
    ) {
        var url = url
        let password = password ?? url.password ?? DatabasePassword("")
        url.password = nil
        self.url = url
        let connector = MariaDBConnector(url: url, password: password, timeouts: timeouts)
        readPool = ConnectionPool(name: "db-mariadb", size: pool.size, configuration: pool, connector: connector)
    }
}

/// Connector/C's per-connection timeouts (whole seconds; fractions round up, at least 1 s).
public struct MariaDBTimeouts: Sendable, Equatable {
    /// Establishing a connection (a dead host fails after this).
    public var connect: Duration
    /// Waiting for a reply (a hung server breaks the connection after this).
    public var read: Duration
    /// Sending a request.
    public var write: Duration

    /// Defaults (those of `--db-connect-timeout`, `--db-read-timeout`, `--db-write-timeout`):
    /// connect 3 s, read 5 s, write 5 s, so that one write to a hung server ends within
    /// the ~5 s the final counter flush gets of barkd's shutdown budget. Connector/C waits
    /// once per read (no retries): a statement blocked by a row lock fails after `read`.
    public init(connect: Duration = .seconds(3), read: Duration = .seconds(5), write: Duration = .seconds(5)) {
        self.connect = connect
        self.read = read
        self.write = write
    }

    /// The defaults, in one place: barkd's command line shows and uses these.
    public static let `default` = MariaDBTimeouts()
}

/// Opens MariaDB connections for the pool.
struct MariaDBConnector: SQLConnector {
    var url: DatabaseURL
    var password: DatabasePassword
    var timeouts: MariaDBTimeouts

    func connect() throws(DatabaseError) -> any SQLConnection {
        try MariaDBConnection.open(self)
    }
}
