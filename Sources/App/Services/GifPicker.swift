public import Logging
public import Persistence
import Server
public import ServiceLifecycle

/// Holds the GIF catalog in memory so a page view needs no catalog query.
///
/// Refreshed at start, at once after an admin change, and every `refreshInterval` so that
/// other replicas' changes appear. When the database is down, the last snapshot keeps
/// serving. Stored bytes are cached up to `byteCacheLimit` (they never change for an id).
public actor GifPicker: Service {
    private let store: any Store
    private let refreshInterval: Duration
    private let byteCacheLimit: Int
    private let logger: Logger
    private var snapshot = CatalogSnapshot.empty
    private var bytesByID: [Int64: [UInt8]] = [:]
    private var cachedBytes = 0
    private var generator = SystemRandomNumberGenerator()
    /// Refreshes are numbered in the order they start; a refresh whose number is below
    /// the last applied one finished late and must not replace a newer snapshot (the
    /// actor is re-entered across `allGifs()`'s suspension).
    private var refreshesStarted: UInt64 = 0
    private var refreshApplied: UInt64 = 0

    /// How often the catalog is reloaded unless told otherwise (`--catalog-refresh`).
    public static let defaultRefreshInterval: Duration = .seconds(30)

    public init(store: any Store, refreshInterval: Duration = defaultRefreshInterval, byteCacheLimit: Int = 32 << 20, logger: Logger) {
        self.store = store
        self.refreshInterval = refreshInterval
        self.byteCacheLimit = byteCacheLimit
        self.logger = logger
    }

    /// A uniformly random entry, or nil when the catalog is empty.
    public func random() -> GifSummary? {
        snapshot.random(using: &generator)
    }

    /// The current snapshot.
    public var catalog: CatalogSnapshot { snapshot }

    /// One entry's summary from the snapshot.
    public func summary(id: Int64) -> GifSummary? { snapshot.gif(id: id) }

    /// Stored bytes of `id` (from the cache, else the store), nil when unknown.
    public func bytes(id: Int64) async throws -> [UInt8]? {
        if let cached = bytesByID[id] { return cached }
        guard let record = try await store.gif(id: id), let bytes = record.bytes else { return nil }
        if cachedBytes + bytes.count <= byteCacheLimit {
            bytesByID[id] = bytes
            cachedBytes += bytes.count
        }
        return bytes
    }

    /// Reloads the catalog from the store. A refresh that started before another one and
    /// finishes after it is dropped: its snapshot is older.
    public func refresh() async throws {
        refreshesStarted += 1
        let ticket = refreshesStarted
        let gifs = try await store.allGifs()
        guard ticket > refreshApplied else { return }
        refreshApplied = ticket
        let known = Set(gifs.map(\.id))
        for id in bytesByID.keys where !known.contains(id) {
            cachedBytes -= bytesByID.removeValue(forKey: id)?.count ?? 0
        }
        snapshot = CatalogSnapshot(gifs)
    }

    /// Adds an entry through the store and refreshes at once.
    public func add(_ gif: NewGif) async throws -> GifSummary {
        let added = try await store.addGif(gif)
        try? await refresh()
        return added
    }

    /// Deletes an entry through the store and refreshes at once.
    public func delete(id: Int64) async throws -> Bool {
        let deleted = try await store.deleteGif(id: id)
        try? await refresh()
        return deleted
    }

    /// Refreshes every `refreshInterval` until shutdown (which ends the wait at once).
    public func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try await Task.sleep(for: self.refreshInterval)
                do {
                    try await self.refresh()
                } catch {
                    await self.logRefreshFailure(error)
                }
            }
        }
    }

    private func logRefreshFailure(_ error: any Error) {
        logger.warning("catalog refresh failed; serving the last snapshot", metadata: ["error": "\(error)", "gifs": "\(snapshot.count)"])
    }
}
