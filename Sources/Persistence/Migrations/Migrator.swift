import CLinuxShim

/// Applies a connection's pending ``Migration``s, each in its own transaction, recorded in
/// `schema_migrations(version, applied_at)`. Safe when several replicas start at once:
/// the dialect's migration lock (MariaDB `GET_LOCK`) and transaction (SQLite
/// `BEGIN EXCLUSIVE`) serialise them, and each version is checked again inside.
enum Migrator {
    static let createTableSQL = """
        CREATE TABLE IF NOT EXISTS schema_migrations (
            version INTEGER NOT NULL PRIMARY KEY,
            applied_at BIGINT NOT NULL
        )
        """

    /// Brings the schema up to date (tests: up to version `target`); returns the versions
    /// applied by this call.
    @discardableResult
    static func migrate(_ connection: some SQLConnection, upTo target: Int = .max) throws(DatabaseError) -> [Int] {
        let migrations = connection.migrations
        let latest = migrations.last?.version ?? 0
        try connection.execute(createTableSQL)
        return try connection.withMigrationLock { () throws(DatabaseError) -> [Int] in
            var applied: [Int] = []
            for migration in migrations where migration.version <= target {
                let didApply = try connection.transaction(connection.beginMigrationSQL) { () throws(DatabaseError) -> Bool in
                    let current = try version(connection)
                    guard current <= latest else {
                        throw DatabaseError(
                            .migration,
                            "the database schema is at version \(current), newer than this barkd knows (\(latest)): upgrade barkd"
                        )
                    }
                    guard try !isApplied(migration.version, connection) else { return false }
                    for statement in migration.statements {
                        do throws(DatabaseError) {
                            try connection.execute(statement)
                        } catch let error where !error.breaksConnection {
                            throw DatabaseError(
                                .migration, code: error.code,
                                "migration \(migration.version) (\(migration.name)): \(error.message)")
                        }
                    }
                    try connection.execute(
                        "INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)",
                        [.integer(Int64(migration.version)), .integer(barkd_realtime_seconds())]
                    )
                    return true
                }
                if didApply { applied.append(migration.version) }
            }
            return applied
        }
    }

    /// The newest applied version, or 0 (also when `schema_migrations` does not exist yet).
    static func version(_ connection: some SQLConnection) throws(DatabaseError) -> Int {
        guard try connection.tableExists("schema_migrations") else { return 0 }
        let rows = try connection.query("SELECT MAX(version) FROM schema_migrations", [])
        return Int(try rows.first?.integer(0) ?? 0)
    }

    private static func isApplied(_ version: Int, _ connection: some SQLConnection) throws(DatabaseError) -> Bool {
        try !connection.query("SELECT version FROM schema_migrations WHERE version = ?", [.integer(Int64(version))]).isEmpty
    }
}
