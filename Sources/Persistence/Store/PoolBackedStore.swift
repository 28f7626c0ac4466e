import CLinuxShim
import Glibc

/// The ``Store`` methods written once for every store built on connection pools: each
/// runs ``StoreQueries`` on a pooled connection's thread. Writes go to `writePool`
/// (SQLite: its single writer connection), reads to `readPool` (MariaDB: the same pool).
protocol PoolBackedStore: PooledStore {
    var readPool: ConnectionPool { get }
    var writePool: ConnectionPool { get }
}

extension PoolBackedStore {
    /// Applies pending migrations on a write connection (see ``Store/migrate()``).
    public func migrate() async throws {
        try await writePool.run("migrate") { connection throws(DatabaseError) in
            _ = try Migrator.migrate(connection)
        }
    }

    /// The newest applied migration, or 0.
    public func schemaVersion() async throws -> Int {
        try await readPool.run("schemaVersion") { connection throws(DatabaseError) in try Migrator.version(connection) }
    }

    /// One round trip on a read connection; returns its duration.
    public func ping() async throws -> Duration {
        let clock = ContinuousClock()
        let start = clock.now
        try await readPool.run("ping") { connection throws(DatabaseError) in try connection.ping() }
        return clock.now - start
    }

    /// Every catalog entry without bytes, ordered by id.
    public func allGifs() async throws -> [GifSummary] {
        try await readPool.run("allGifs") { connection throws(DatabaseError) in try StoreQueries.allGifs(connection) }
    }

    /// Up to `limit` entries after id `after`, ordered by id.
    public func listGifs(after: Int64?, limit: Int) async throws -> [GifSummary] {
        try await readPool.run("listGifs") { connection throws(DatabaseError) in
            try StoreQueries.listGifs(connection, after: after, limit: limit)
        }
    }

    /// One entry with its bytes, or nil.
    public func gif(id: Int64) async throws -> GifRecord? {
        try await readPool.run("gif") { connection throws(DatabaseError) in try StoreQueries.gif(connection, id: id) }
    }

    /// Stores an entry (computing the SHA-256 of its bytes on the database thread).
    public func addGif(_ gif: NewGif) async throws -> GifSummary {
        try await writePool.run("addGif") { connection throws(DatabaseError) in try StoreQueries.addGif(connection, gif) }
    }

    /// Deletes an entry; false when there was none.
    public func deleteGif(id: Int64) async throws -> Bool {
        try await writePool.run("deleteGif") { connection throws(DatabaseError) in try StoreQueries.deleteGif(connection, id: id) }
    }

    /// Inserts `gifs` in one transaction unless the database was ever seeded.
    public func seedIfNeverSeeded(_ gifs: [NewGif]) async throws -> Int {
        try await writePool.run("seedIfNeverSeeded") { connection throws(DatabaseError) in
            try StoreQueries.seedIfNeverSeeded(connection, gifs)
        }
    }

    /// Writes a visit batch exactly once (see ``Store/applyVisits(_:)``).
    public func applyVisits(_ batch: VisitBatch) async throws -> VisitWrite {
        try await writePool.run("applyVisits") { connection throws(DatabaseError) in
            try StoreQueries.applyVisits(connection, batch, now: barkd_realtime_seconds())
        }
    }

    /// Deletes ledger rows last written before `cutoff` (Unix seconds); returns how many.
    public func pruneVisitLedger(before cutoff: Int64) async throws -> Int {
        try await writePool.run("pruneVisitLedger") { connection throws(DatabaseError) in
            try StoreQueries.pruneVisitLedger(connection, before: cutoff)
        }
    }

    /// The stored visitor total.
    public func visitorCount() async throws -> Int64 {
        try await readPool.run("visitorCount") { connection throws(DatabaseError) in try StoreQueries.visitorCount(connection) }
    }

    /// Closes every connection, each on its own thread; later calls fail as unavailable.
    public func close() async {
        await writePool.close()
        if readPool !== writePool { await readPool.close() }
    }

    /// The pool figures (SQLite: writer and readers added up).
    public var poolStats: DatabasePoolStats {
        readPool === writePool ? readPool.stats : writePool.stats.adding(readPool.stats)
    }

    /// Keeps a read connection busy until `released` returns true, for at most 10 s
    /// (tests of the pool's limits).
    func holdReadConnection(until released: @escaping @Sendable () -> Bool) async throws {
        try await readPool.run("hold") { _ throws(DatabaseError) in
            for _ in 0..<10_000 where !released() {
                usleep(1000)
            }
        }
    }

    /// Applies migrations up to `version` only (tests: a database of an older barkd).
    func migrateForTesting(upTo version: Int) async throws {
        try await writePool.run("migrate") { connection throws(DatabaseError) in
            _ = try Migrator.migrate(connection, upTo: version)
        }
    }

    /// Runs raw SQL on a write connection (tests: creating databases, faking a newer schema).
    func executeForTesting(_ sql: String, _ parameters: [SQLValue] = []) async throws {
        try await writePool.run("execute") { connection throws(DatabaseError) in
            _ = try connection.execute(sql, parameters)
        }
    }
}
