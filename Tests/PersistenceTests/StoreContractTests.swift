import Synchronization
import Testing

@testable import Persistence

/// The one contract every ``Store`` keeps, run against SQLite and MariaDB alike.
@Suite("Store contract")
struct StoreContractTests {
    static let latestVersion = SQLiteSchema.migrations.last!.version

    @Test(arguments: Backend.allCases)
    func migrateIsIdempotent(backend: Backend) async throws {
        try await withTestDatabase(backend) { database in
            let store = database.store()
            #expect(try await store.schemaVersion() == 0)
            try await store.migrate()
            #expect(Self.latestVersion == 2)
            #expect(MariaDBSchema.migrations.map(\.version) == SQLiteSchema.migrations.map(\.version))
            #expect(try await store.schemaVersion() == Self.latestVersion)
            try await store.migrate()
            #expect(try await store.schemaVersion() == Self.latestVersion)
            #expect(try await store.visitorCount() == 0)
            #expect(try await store.allGifs().isEmpty)
        }
    }

    @Test(arguments: Backend.allCases)
    func concurrentMigrationsFromSeveralStores(backend: Backend) async throws {
        try await withTestDatabase(backend) { database in
            let stores = (0..<4).map { _ in database.store() }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for store in stores {
                    group.addTask { try await store.migrate() }
                }
                try await group.waitForAll()
            }
            for store in stores {
                #expect(try await store.schemaVersion() == Self.latestVersion)
            }
            #expect(try await stores[0].visitorCount() == 0)
        }
    }

    @Test(arguments: Backend.allCases)
    func newerSchemaIsRefused(backend: Backend) async throws {
        try await withTestDatabase(backend) { database in
            let store = database.store()
            try await store.migrate()
            try await store.executeForTesting("INSERT INTO schema_migrations (version, applied_at) VALUES (999, 0)")
            await #expect {
                try await store.migrate()
            } throws: { error in
                guard case .migration(let reason) = error as? StoreError else { return false }
                return reason.contains("999")
            }
        }
    }

    @Test(arguments: Backend.allCases)
    func seedsOnlyOnceEvenAfterDeletingEverything(backend: Backend) async throws {
        try await withTestDatabase(backend) { database in
            let store = database.store()
            try await store.migrate()
            let seed = SeedCatalog.gifs()
            #expect(try await store.seedIfNeverSeeded(seed) == seed.count)
            #expect(try await store.seedIfNeverSeeded(seed) == 0)
            let all = try await store.allGifs()
            #expect(all.map(\.title) == seed.map(\.title))
            for gif in all {
                #expect(try await store.deleteGif(id: gif.id))
            }
            #expect(try await store.seedIfNeverSeeded(seed) == 0)
            #expect(try await store.allGifs().isEmpty)
            // A second replica sees the same marker.
            #expect(try await database.store().seedIfNeverSeeded(seed) == 0)
        }
    }

    @Test(arguments: Backend.allCases)
    func concurrentSeedingSeedsOnce(backend: Backend) async throws {
        try await withTestDatabase(backend) { database in
            let stores = (0..<3).map { _ in database.store() }
            try await stores[0].migrate()
            let seed = Array(SeedCatalog.gifs().prefix(3))
            let added = try await withThrowingTaskGroup(of: Int.self) { group in
                for store in stores {
                    group.addTask { try await store.seedIfNeverSeeded(seed) }
                }
                return try await group.reduce(0, +)
            }
            #expect(added == seed.count)
            #expect(try await stores[1].allGifs().count == seed.count)
        }
    }

    @Test(arguments: Backend.allCases)
    func addGetListDelete(backend: Backend) async throws {
        try await withTestDatabase(backend) { database in
            let store = database.store()
            try await store.migrate()
            var added: [GifSummary] = []
            for index in 0..<5 {
                added.append(
                    try await store.addGif(
                        NewGif(
                            title: "Dog \(index) — «ünïcødé» 🐕",
                            content: .external(url: "https://example.com/dog-\(index).gif"),
                            width: 100 + index,
                            height: nil
                        )))
            }
            #expect(added.map(\.id) == added.map(\.id).sorted())
            #expect(Set(added.map(\.id)).count == 5)
            #expect(added[2].source == .external(url: "https://example.com/dog-2.gif"))
            #expect(added[2].width == 102 && added[2].height == nil)
            #expect(added[2].createdAt > 1_600_000_000)

            let record = try #require(try await store.gif(id: added[3].id))
            #expect(record.summary == added[3])
            #expect(record.bytes == nil)

            #expect(try await store.allGifs() == added)
            let first = try await store.listGifs(after: nil, limit: 2)
            #expect(first == Array(added[0..<2]))
            let second = try await store.listGifs(after: first.last!.id, limit: 2)
            #expect(second == Array(added[2..<4]))
            let third = try await store.listGifs(after: second.last!.id, limit: 2)
            #expect(third == [added[4]])
            #expect(try await store.listGifs(after: added[4].id, limit: 2).isEmpty)
            #expect(try await store.listGifs(after: nil, limit: 0).isEmpty)

            #expect(try await store.deleteGif(id: added[1].id))
            #expect(try await !store.deleteGif(id: added[1].id))
            #expect(try await store.gif(id: added[1].id) == nil)
            #expect(try await store.gif(id: 987_654_321) == nil)
            #expect(try await store.allGifs().map(\.id) == [added[0], added[2], added[3], added[4]].map(\.id))
            // Another replica sees the same catalog.
            #expect(try await database.store().allGifs().count == 4)
        }
    }

    @Test(arguments: Backend.allCases)
    func bytesRoundTripWithSHA256(backend: Backend) async throws {
        try await withTestDatabase(backend) { database in
            let store = database.store()
            try await store.migrate()
            let small: [UInt8] = Array("GIF89a".utf8) + (0...255).map { UInt8($0) } + [0, 0, 0]
            let large: [UInt8] = (0..<(1 << 20) + 17).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 9) }
            for bytes in [small, large, []] {
                let summary = try await store.addGif(
                    NewGif(
                        title: "bytes \(bytes.count)", content: .bytes(bytes, contentType: "image/gif"),
                        width: 3, height: 4))
                let digest = SHA256.hexDigest(of: bytes)
                #expect(summary.source == .stored(contentType: "image/gif", sha256: digest, size: bytes.count))
                let record = try #require(try await store.gif(id: summary.id))
                #expect(record.summary == summary)
                #expect(record.bytes == bytes)
                #expect(try await store.allGifs().contains(summary))
            }
        }
    }

    @Test(arguments: Backend.allCases)
    func refusesInvalidEntries(backend: Backend) async throws {
        try await withTestDatabase(backend) { database in
            let store = database.store()
            try await store.migrate()
            for title in ["", String(repeating: "x", count: 201)] {
                await #expect {
                    _ = try await store.addGif(NewGif(title: title, content: .external(url: "https://example.com/a.gif")))
                } throws: { error in
                    if case .rejected = error as? StoreError { true } else { false }
                }
            }
            let longest = String(repeating: "é", count: 200)
            #expect(try await store.addGif(NewGif(title: longest, content: .external(url: "https://example.com/a.gif"))).title == longest)
            #expect(try await store.allGifs().count == 1)
        }
    }

    @Test(arguments: Backend.allCases)
    func pingAnswers(backend: Backend) async throws {
        try await withTestDatabase(backend) { database in
            let store = database.store()
            let took = try await store.ping()
            #expect(took < .seconds(5))
            #expect(store.kind == backend.rawValue)
        }
    }

    @Test(arguments: Backend.allCases)
    func fullPoolAndQueueAnswerBusy(backend: Backend) async throws {
        try await withTestDatabase(backend) { database in
            let store = database.store(pool: DatabasePoolConfiguration(size: 1, queueLimit: 0))
            try await store.migrate()
            try await whileReadConnectionIsHeld(store) {
                await #expect(throws: StoreError.busy) { _ = try await store.allGifs() }
            }
            #expect(try await store.allGifs().isEmpty)
            #expect(store.poolStats.queueFullRejections == 1)
            #expect(store.poolStats.errorsByOperation["allGifs"] == 1)
        }
    }

    @Test(arguments: Backend.allCases)
    func waitTimeoutAnswersBusy(backend: Backend) async throws {
        try await withTestDatabase(backend) { database in
            let store = database.store(pool: DatabasePoolConfiguration(size: 1, queueLimit: 4, waitTimeout: .milliseconds(150)))
            try await store.migrate()
            try await whileReadConnectionIsHeld(store) {
                await #expect(throws: StoreError.busy) { _ = try await store.visitorCount() }
            }
            let stats = store.poolStats
            #expect(stats.waitTimeouts == 1)
            #expect(stats.totalWaits == 1)
            #expect(stats.totalWaitTime >= .milliseconds(100))
            #expect(stats.queueDepth == 0)
        }
    }
}

/// Runs `body` while another caller holds the store's (only) read connection.
func whileReadConnectionIsHeld(_ store: any PoolBackedStore, _ body: () async throws -> Void) async throws {
    let release = Atomic<Bool>(false)
    async let held: Void = store.holdReadConnection { release.load(ordering: .relaxed) }
    try await waitUntil { store.poolStats.busy >= 1 }
    do {
        try await body()
    } catch {
        release.store(true, ordering: .relaxed)
        try await held
        throw error
    }
    release.store(true, ordering: .relaxed)
    try await held
}

/// Polls `condition` every 10 ms for up to 5 s.
func waitUntil(_ condition: @Sendable () -> Bool) async throws {
    let clock = ContinuousClock()
    let deadline = clock.now + .seconds(5)
    while !condition() {
        guard clock.now < deadline else {
            Issue.record("condition not met within 5 s")
            return
        }
        try await Task.sleep(for: .milliseconds(10))
    }
}
