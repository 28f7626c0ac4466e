/// barkd's storage: the GIF catalog and the visitor counter.
///
/// Two implementations pass one contract test suite: ``SQLiteStore`` (the embedded
/// default, a file under the data directory) and ``MariaDBStore`` (production). Every
/// method suspends the caller and runs its blocking C calls on the store's own database
/// threads, never on an event loop.
public protocol Store: Sendable {
    /// A short name for logs and `/health` ("sqlite", "mariadb").
    var kind: String { get }

    /// Applies pending schema migrations (versioned, each in a transaction, recorded in
    /// `schema_migrations`); safe when several replicas start at once.
    func migrate() async throws

    /// The newest migration version applied, or 0.
    func schemaVersion() async throws -> Int

    /// One round trip to the database; returns how long it took.
    func ping() async throws -> Duration

    /// Every catalog entry (without bytes), ordered by id: the in-memory catalog's source.
    func allGifs() async throws -> [GifSummary]

    /// Up to `limit` entries with id greater than `after`, ordered by id (pagination).
    func listGifs(after: Int64?, limit: Int) async throws -> [GifSummary]

    /// One entry with its stored bytes (nil bytes for an external URL), or nil.
    func gif(id: Int64) async throws -> GifRecord?

    /// Adds an entry and returns it with its new id.
    func addGif(_ gif: NewGif) async throws -> GifSummary

    /// Deletes an entry; false when there was none.
    func deleteGif(id: Int64) async throws -> Bool

    /// Inserts `gifs` only if this database was never seeded (recorded in the database,
    /// so deleting every GIF does not bring the seed back); returns how many were added.
    func seedIfNeverSeeded(_ gifs: [NewGif]) async throws -> Int

    /// Writes a batch of views exactly once. In one transaction on a write connection it
    /// reads the instance's last applied sequence (locked: MariaDB `SELECT … FOR UPDATE`,
    /// SQLite under `BEGIN IMMEDIATE`); when it is at least `batch.sequence` nothing
    /// changes and the result is the current total with `appliedNow` false; otherwise the
    /// ledger row gets `batch.sequence` and the counter `count = count + delta` (replicas
    /// never overwrite each other), and the result is the new total with `appliedNow` true.
    ///
    /// Retry a batch whose call failed with ``StoreError/unavailable(_:)`` or
    /// ``StoreError/busy`` with the same instance, sequence and delta: it is counted once.
    /// Throws ``StoreError/rejected(_:)`` for an invalid batch (see ``VisitBatch``).
    func applyVisits(_ batch: VisitBatch) async throws -> VisitWrite

    /// Deletes the ledger rows of instances whose last batch was written before `cutoff`
    /// (Unix seconds; an index on `updated_at` avoids a full scan) and returns how many.
    /// A batch of a pruned instance would be applied again: keep what a retry could still
    /// need (barkd keeps a day).
    func pruneVisitLedger(before cutoff: Int64) async throws -> Int

    /// The stored visitor total.
    func visitorCount() async throws -> Int64

    /// Closes every connection (at shutdown).
    func close() async
}

/// Why a store operation failed.
///
/// ``description`` carries the driver's text (user, host and database names, SQL
/// details): for logs only. ``publicSummary`` (StoreError+Summary.swift) is what
/// anonymous clients may see.
public enum StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The database could not be reached or the connection broke (retry later).
    case unavailable(String)
    /// Every connection was busy and the wait queue was full, or the wait timed out.
    case busy
    /// The request was refused by the database (constraint, bad value).
    case rejected(String)
    /// The schema is newer than this binary knows, or a migration failed.
    case migration(String)

    public var description: String {
        switch self {
        case .unavailable(let reason): "database unavailable: \(reason)"
        case .busy: "database busy"
        case .rejected(let reason): "database rejected the request: \(reason)"
        case .migration(let reason): "migration failed: \(reason)"
        }
    }
}
