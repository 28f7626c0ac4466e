import Glibc
import Logging
import Persistence

/// Builds the configured store: MariaDB for a `--database` URL, else the embedded SQLite
/// file in `--data-dir`. The MariaDB password comes from `BARKD_DB_PASSWORD_FILE` or
/// `BARKD_DB_PASSWORD`, never from the command line.
enum StoreFactory {
    /// `waitObserver` sees how long each caller that had to queue for a connection waited.
    static func make(_ command: BarkdCommand, logger: Logger, waitObserver: (@Sendable (Duration) -> Void)? = nil) throws -> any Store {
        let pool = DatabasePoolConfiguration(
            size: command.dbPoolSize, queueLimit: command.dbQueueLimit, waitTimeout: command.dbWaitTimeout.duration,
            waitObserver: waitObserver, logger: logger
        )
        if command.database.isEmpty {
            return SQLiteStore(dataDirectory: command.dataDir, pool: pool)
        }
        let url = try DatabaseURL(parsing: command.database)
        let timeouts = MariaDBTimeouts(
            connect: command.dbConnectTimeout.duration, read: command.dbReadTimeout.duration, write: command.dbWriteTimeout.duration)
        return MariaDBStore(url: url, password: try password(), pool: pool, timeouts: timeouts)
    }

    static func password() throws -> DatabasePassword? {
        if let path = EnvironmentDefaults.processEnvironment("BARKD_DB_PASSWORD_FILE") {
            guard let value = EnvironmentDefaults.readFile(path) else {
                throw EnvironmentError(message: "BARKD_DB_PASSWORD_FILE: cannot read '\(path)'")
            }
            return DatabasePassword(value)
        }
        return EnvironmentDefaults.processEnvironment("BARKD_DB_PASSWORD").map { DatabasePassword($0) }
    }
}
