import Persistence
import Synchronization

/// A fake `Store` for unit tests of the service actors only (the real stores pass the
/// contract suite in PersistenceTests). `failing` makes every call throw `unavailable`.
final class InMemoryStore: Store, Sendable {
    private struct State {
        var gifs: [Int64: GifRecord] = [:]
        var nextID: Int64 = 1
        var visits: Int64 = 0
        var seeded = false
        var failing = false
        var addVisitsCalls = 0
        var holdNextCatalogRead = false
        var heldCatalogReads: [CheckedContinuation<Void, Never>] = []
        var ledger: [String: Int64] = [:]
        var loseNextReplies = 0
        var writeDelay: Duration = .zero
        var hangingWrites: [CheckedContinuation<Void, Never>]?
    }

    private let state = Mutex(State())
    let kind = "memory"

    var failing: Bool {
        get { state.withLock { $0.failing } }
        set { state.withLock { $0.failing = newValue } }
    }

    var addVisitsCalls: Int { state.withLock { $0.addVisitsCalls } }
    var storedVisits: Int64 { state.withLock { $0.visits } }

    private func check() throws {
        if state.withLock({ $0.failing }) { throw StoreError.unavailable("test outage") }
    }

    func migrate() async throws { try check() }
    func schemaVersion() async throws -> Int { try check(); return 1 }
    func ping() async throws -> Duration { try check(); return .microseconds(50) }

    func allGifs() async throws -> [GifSummary] {
        try check()
        let (gifs, hold) = state.withLock { state in
            defer { state.holdNextCatalogRead = false }
            return (state.gifs.values.map(\.summary).sorted { $0.id < $1.id }, state.holdNextCatalogRead)
        }
        if hold {
            await withCheckedContinuation { continuation in state.withLock { $0.heldCatalogReads.append(continuation) } }
        }
        return gifs
    }

    /// The next `allGifs()` reads the catalog at once but returns only after
    /// `releaseCatalogReads()`: a refresh that finishes late.
    func holdNextCatalogRead() { state.withLock { $0.holdNextCatalogRead = true } }

    /// Catalog reads waiting to return.
    var heldCatalogReadCount: Int { state.withLock { $0.heldCatalogReads.count } }

    func releaseCatalogReads() {
        let held = state.withLock { state in
            defer { state.heldCatalogReads.removeAll() }
            return state.heldCatalogReads
        }
        for continuation in held { continuation.resume() }
    }

    func listGifs(after: Int64?, limit: Int) async throws -> [GifSummary] {
        try await Array(allGifs().filter { $0.id > (after ?? 0) }.prefix(limit))
    }

    func gif(id: Int64) async throws -> GifRecord? {
        try check()
        return state.withLock { $0.gifs[id] }
    }

    func addGif(_ gif: NewGif) async throws -> GifSummary {
        try check()
        return state.withLock { state in
            let id = state.nextID
            state.nextID += 1
            let source: GifSource
            var bytes: [UInt8]?
            switch gif.content {
            case .external(let url): source = .external(url: url)
            case .bytes(let data, let contentType):
                source = .stored(contentType: contentType, sha256: "hash\(id)", size: data.count)
                bytes = data
            }
            let summary = GifSummary(id: id, title: gif.title, source: source, width: gif.width, height: gif.height, createdAt: 0)
            state.gifs[id] = GifRecord(summary: summary, bytes: bytes)
            return summary
        }
    }

    func deleteGif(id: Int64) async throws -> Bool {
        try check()
        return state.withLock { $0.gifs.removeValue(forKey: id) != nil }
    }

    func seedIfNeverSeeded(_ gifs: [NewGif]) async throws -> Int {
        try check()
        if state.withLock({ $0.seeded }) { return 0 }
        for gif in gifs { _ = try await addGif(gif) }
        state.withLock { $0.seeded = true }
        return gifs.count
    }

    func applyVisits(_ batch: VisitBatch) async throws -> VisitWrite {
        try check()
        if let reason = batch.invalidReason { throw StoreError.rejected(reason) }
        let delay = state.withLock { $0.writeDelay }
        if delay > .zero { try await Task.sleep(for: delay) }
        let hang = state.withLock { $0.hangingWrites != nil }
        if hang { await withCheckedContinuation { continuation in state.withLock { $0.hangingWrites?.append(continuation) } } }
        let (write, lost) = state.withLock { state -> (VisitWrite, Bool) in
            state.addVisitsCalls += 1
            let lost = state.loseNextReplies > 0
            if lost { state.loseNextReplies -= 1 }
            if let last = state.ledger[batch.instance], last >= batch.sequence {
                return (VisitWrite(total: state.visits, appliedNow: false), lost)
            }
            state.ledger[batch.instance] = batch.sequence
            state.visits += batch.delta
            return (VisitWrite(total: state.visits, appliedNow: true), lost)
        }
        // Committed, but the caller hears of a broken connection (outcome unknown).
        if lost { throw StoreError.unavailable("test: connection lost after COMMIT") }
        return write
    }

    /// The next `count` batch writes are applied, then fail as if the reply was lost.
    func loseReplies(_ count: Int) { state.withLock { $0.loseNextReplies = count } }

    /// Every batch write first waits this long (views pile up behind it).
    func delayWrites(_ delay: Duration) { state.withLock { $0.writeDelay = delay } }

    /// Batch writes block (a hung database) until ``releaseWrites()``.
    func hangWrites() { state.withLock { $0.hangingWrites = [] } }

    func releaseWrites() {
        let held = state.withLock { state in
            defer { state.hangingWrites = nil }
            return state.hangingWrites ?? []
        }
        for continuation in held { continuation.resume() }
    }

    func pruneVisitLedger(before cutoff: Int64) async throws -> Int {
        try check()
        return 0
    }

    func visitorCount() async throws -> Int64 {
        try check()
        return state.withLock { $0.visits }
    }

    func close() async {}
}
