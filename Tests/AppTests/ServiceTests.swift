import Logging
import Persistence
import Server
import Testing

@testable import App

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
