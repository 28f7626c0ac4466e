import Logging
import Persistence
import Testing

@testable import Server

@Suite("Counter flush state")
struct CounterFlushStateTests {
    @Test func viewsMoveFromPendingToStored() {
        var state = CounterFlushState(stored: 10)
        #expect(state.recordView() == 11)
        #expect(state.recordView() == 12)
        #expect(state.beginFlush() == 2)
        #expect(state.beginFlush() == nil)  // one write at a time
        #expect(state.recordView() == 13)  // counted while the write is under way
        state.flushSucceeded(total: 15)  // another replica added 3
        #expect(state.stored == 15)
        #expect(state.pending == 1)
        #expect(state.displayed == 16)
    }

    @Test func failedWritesLoseNothingAndBackOff() {
        var state = CounterFlushState(stored: 0)
        for _ in 0..<5 { _ = state.recordView() }
        #expect(state.beginFlush() == 5)
        state.flushFailed()
        #expect(state.pending == 5 && state.inFlight == 0)
        #expect(state.retryDelay == .milliseconds(250))
        _ = state.beginFlush()
        state.flushFailed()
        #expect(state.retryDelay == .milliseconds(500))
        for _ in 0..<20 {
            _ = state.beginFlush()
            state.flushFailed()
        }
        #expect(state.retryDelay == .seconds(10))
        #expect(state.beginFlush() == 5)
        state.flushSucceeded(total: 5)
        #expect(state.unflushed == 0 && state.retryDelay == .zero)
    }

    @Test func syncWritesKeepTheHighestTotal() {
        var state = CounterFlushState(stored: 0)
        state.recordWrittenView(total: 7)
        state.recordWrittenView(total: 6)  // an earlier concurrent write answering late
        #expect(state.stored == 7)
    }
}

@Suite("Visitor counter")
struct VisitorCounterTests {
    let logger = Logger(label: "test")

    @Test func batchedCountsEveryViewExactly() async throws {
        let store = InMemoryStore()
        let counter = VisitorCounter(store: store, mode: .batched(flushInterval: .milliseconds(10)), logger: logger)
        try await counter.load()
        let numbers = await withTaskGroup(of: Int64.self) { group in
            for _ in 0..<500 { group.addTask { await counter.recordView() } }
            return await group.reduce(into: [Int64]()) { $0.append($1) }
        }
        #expect(Set(numbers) == Set(1...500))
        #expect(await counter.flush())
        #expect(store.storedVisits == 500)
        #expect(store.addVisitsCalls == 1)
    }

    @Test func outageKeepsViewsUntilTheDatabaseIsBack() async throws {
        let store = InMemoryStore()
        let counter = VisitorCounter(store: store, mode: .batched(flushInterval: .milliseconds(10)), logger: logger)
        for _ in 0..<3 { _ = await counter.recordView() }
        store.failing = true
        #expect(await counter.flush() == false)
        for _ in 0..<2 { _ = await counter.recordView() }
        #expect(await counter.unflushed == 5)
        #expect(await counter.count == 5)
        store.failing = false
        #expect(await counter.flush())
        #expect(store.storedVisits == 5)
    }

    @Test func syncWritesEachView() async throws {
        let store = InMemoryStore()
        let counter = VisitorCounter(store: store, mode: .sync, logger: logger)
        #expect(await counter.recordView() == 1)
        #expect(await counter.recordView() == 2)
        #expect(store.storedVisits == 2)
        store.failing = true
        #expect(await counter.recordView() == 3)  // kept pending, page still served
        store.failing = false
        #expect(await counter.flush())
        #expect(store.storedVisits == 3)
    }

    @Test func runFlushesOnItsInterval() async throws {
        let store = InMemoryStore()
        let counter = VisitorCounter(store: store, mode: .batched(flushInterval: .milliseconds(20)), logger: logger)
        let running = Task { try await counter.run() }
        _ = await counter.recordView()
        for _ in 0..<100 where store.storedVisits == 0 { try await Task.sleep(for: .milliseconds(10)) }
        running.cancel()
        #expect(store.storedVisits == 1)
    }
}

@Suite("GIF picker")
struct GifPickerTests {
    let logger = Logger(label: "test")

    @Test func emptyCatalogPicksNothing() async {
        let picker = GifPicker(store: InMemoryStore(), refreshInterval: .seconds(30), logger: logger)
        #expect(await picker.random() == nil)
    }

    @Test func picksUniformlyFromTheSnapshot() async throws {
        let store = InMemoryStore()
        for index in 0..<4 { _ = try await store.addGif(NewGif(title: "dog \(index)", content: .external(url: "https://example.org/\(index).gif"))) }
        let picker = GifPicker(store: store, refreshInterval: .seconds(30), logger: logger)
        try await picker.refresh()
        var seen: [Int64: Int] = [:]
        for _ in 0..<4000 { seen[try #require(await picker.random()).id, default: 0] += 1 }
        #expect(seen.count == 4)
        #expect(seen.values.allSatisfy { (800...1200).contains($0) })
    }

    @Test func adminChangesRefreshAtOnceAndOutagesKeepTheSnapshot() async throws {
        let store = InMemoryStore()
        let picker = GifPicker(store: store, refreshInterval: .seconds(30), logger: logger)
        let added = try await picker.add(NewGif(title: "stored", content: .bytes([0x47, 0x49, 0x46], contentType: "image/gif")))
        #expect(await picker.summary(id: added.id)?.title == "stored")
        #expect(try await picker.bytes(id: added.id) == [0x47, 0x49, 0x46])
        store.failing = true
        await #expect(throws: StoreError.self) { try await picker.refresh() }
        #expect(await picker.catalog.count == 1)
        #expect(try await picker.bytes(id: added.id) == [0x47, 0x49, 0x46])  // from the cache
        store.failing = false
        #expect(try await picker.delete(id: added.id))
        #expect(await picker.random() == nil)
    }
}

extension GifPickerTests {
    @Test func aRefreshThatFinishesLateDoesNotReplaceANewerSnapshot() async throws {
        let store = InMemoryStore()
        _ = try await store.addGif(NewGif(title: "first", content: .external(url: "https://example.org/1.gif")))
        let picker = GifPicker(store: store, refreshInterval: .seconds(30), logger: logger)
        store.holdNextCatalogRead()
        let late = Task { try await picker.refresh() }  // reads one GIF, then waits
        for _ in 0..<500 where store.heldCatalogReadCount == 0 { try await Task.sleep(for: .milliseconds(2)) }
        #expect(store.heldCatalogReadCount == 1)
        _ = try await store.addGif(NewGif(title: "second", content: .external(url: "https://example.org/2.gif")))
        try await picker.refresh()  // reads both and applies them
        #expect(await picker.catalog.count == 2)
        store.releaseCatalogReads()
        try await late.value
        #expect(await picker.catalog.count == 2, "the older snapshot replaced the newer one")
    }
}

@Suite("Readiness checks")
struct ReadinessCheckTests {
    @Test func failingChecksMakeItUnready() {
        let readiness = Readiness()
        readiness.markReady()
        readiness.setCheck("database", failing: "connection refused")
        #expect(!readiness.isReady)
        #expect(readiness.reason == "database: connection refused")
        readiness.setCheck("database", failing: nil)
        #expect(readiness.isReady)
    }
}
