import Glibc
import Logging
import Observability
import Persistence
import Server
import Testing

@testable import App

@Suite("Counter flush state")
struct CounterFlushStateTests {
    @Test func viewsBecomeNumberedBatches() {
        var state = CounterFlushState(instance: "a", stored: 10)
        #expect(state.recordViews() == 11)
        #expect(state.recordViews() == 12)
        let first = state.beginWrite()
        #expect(first == VisitBatch(instance: "a", sequence: 1, delta: 2))
        #expect(state.beginWrite() == nil)  // one write at a time
        #expect(state.recordViews() == 13)  // counted while the write is under way
        state.writeSucceeded(total: 15)  // another replica added 3
        #expect(state.stored == 15 && state.pending == 1 && state.displayed == 16)
        #expect(state.beginWrite() == VisitBatch(instance: "a", sequence: 2, delta: 1))
    }

    @Test func aFailedWriteIsRetriedAsItIsWhileNewViewsWait() {
        var state = CounterFlushState(instance: "a")
        _ = state.recordViews(5)
        let batch = state.beginWrite()
        #expect(batch != nil)
        state.writeFailed()
        _ = state.recordViews(2)
        #expect(state.unflushed == 7 && state.displayed == 7)
        // The retry is the same batch — same sequence, same delta — so a write that was
        // committed before the failure is recognised, never added again.
        #expect(state.beginWrite() == batch)
        state.writeFailed()
        #expect(state.retryDelay == .milliseconds(500))
        #expect(state.beginWrite() == batch)
        state.writeSucceeded(total: 5)
        #expect(state.retryDelay == .zero)
        #expect(state.beginWrite() == VisitBatch(instance: "a", sequence: 2, delta: 2))
    }

    @Test func theSpooledBatchesAreTheOnesTheProcessWouldWrite() throws {
        var state = CounterFlushState(instance: "a")
        _ = state.recordViews(4)
        let started = state.beginWrite()
        let inFlight = try #require(started)
        state.writeFailed()
        _ = state.recordViews(3)
        #expect(state.unflushedBatches == [inFlight, VisitBatch(instance: "a", sequence: 2, delta: 3)])
        // Saving does not take a sequence: what the process writes next agrees with it.
        state.writeSucceeded(total: 4)
        _ = state.recordViews()
        #expect(state.beginWrite() == VisitBatch(instance: "a", sequence: 2, delta: 4))
    }

    @Test func theShownCountNeverGoesBack() {
        var state = CounterFlushState(instance: "a", stored: 50)
        state.observeStored(40)  // a read answering late
        state.writeSucceeded(total: 45)
        #expect(state.stored == 50)
        for _ in 0..<30 { state.writeFailed() }
        #expect(state.retryDelay == .seconds(10))
    }
}

@Suite("Visitor counter")
struct VisitorCounterTests {
    let logger = Logger(label: "test")

    func counter(
        _ store: InMemoryStore, _ mode: VisitorCounter.Mode = .batched(flushInterval: .milliseconds(10)), spool: String? = nil,
        budget: Duration = .seconds(5), readiness: Readiness? = nil, maxPending: Int64 = 1_000_000
    ) -> VisitorCounter {
        VisitorCounter(
            store: store,
            configuration: .init(mode: mode, spoolDirectory: spool, finalFlushBudget: budget, maxPendingViews: maxPending),
            readiness: readiness, logger: logger)
    }

    @Test func batchedCountsEveryViewExactly() async throws {
        let store = InMemoryStore()
        let counter = counter(store)
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

    @Test func aWriteCommittedButNotAnsweredIsNotCountedTwice() async throws {
        let store = InMemoryStore()
        let counter = counter(store)
        for _ in 0..<7 { _ = await counter.recordView() }
        store.loseReplies(1)
        #expect(await counter.flush() == false)  // committed, but the reply was lost
        #expect(store.storedVisits == 7)
        #expect(await counter.unflushed == 7)
        #expect(await counter.flush())  // the retry finds its batch applied
        #expect(store.storedVisits == 7, "the retry added the batch again")
        #expect(await counter.count == 7)
    }

    @Test func outageKeepsViewsUntilTheDatabaseIsBack() async throws {
        let store = InMemoryStore()
        let counter = counter(store)
        for _ in 0..<3 { _ = await counter.recordView() }
        store.failing = true
        #expect(await counter.flush() == false)
        for _ in 0..<2 { _ = await counter.recordView() }
        #expect(await counter.unflushed == 5)
        #expect(await counter.count == 5)
        store.failing = false
        #expect(await counter.flush() == false)  // the failed batch first, as it was
        #expect(await counter.flush())
        #expect(store.storedVisits == 5)
    }

    @Test func syncViewsArrivingTogetherShareOneWriteAndEachGetsItsNumber() async throws {
        let store = InMemoryStore()
        store.delayWrites(.milliseconds(20))
        let counter = counter(store, .sync)
        let numbers = await withTaskGroup(of: Int64.self) { group in
            for _ in 0..<200 { group.addTask { await counter.recordView() } }
            return await group.reduce(into: [Int64]()) { $0.append($1) }
        }
        #expect(numbers.sorted() == Array(1...200), "numbers must be 1...200, each once")
        #expect(store.storedVisits == 200, "every answered sync view is stored")
        #expect(store.addVisitsCalls < 50, "\(store.addVisitsCalls) writes for 200 views: no group commit")
        #expect(await counter.unflushed == 0)
    }

    @Test func syncViewsDuringAnOutageAreServedAndWrittenLater() async throws {
        let store = InMemoryStore()
        let counter = counter(store, .sync)
        #expect(await counter.recordView() == 1)
        #expect(await counter.recordView() == 2)
        #expect(store.storedVisits == 2)
        store.failing = true
        #expect(await counter.recordView() == 3)  // kept pending, page still served
        #expect(await counter.recordView() == 4)
        store.failing = false
        while await !counter.flush() {}
        #expect(store.storedVisits == 4)
    }

    @Test func shutdownSpoolsWhatItCannotWriteAndTheNextStartWritesItOnce() async throws {
        let directory = try TemporaryDirectory()
        let store = InMemoryStore()
        let first = counter(store, spool: directory.path, budget: .milliseconds(100))
        let running = Task { try await first.run() }
        for _ in 0..<4 { _ = await first.recordView() }
        store.loseReplies(1)  // the first write commits but is not answered...
        while store.addVisitsCalls == 0 { try await Task.sleep(for: .milliseconds(2)) }
        store.failing = true  // ...and then the database is gone
        for _ in 0..<3 { _ = await first.recordView() }
        running.cancel()
        try await running.value
        #expect(store.storedVisits == 4)
        #expect(try directory.files().filter { $0.hasSuffix(".spool") }.count == 1)

        store.failing = false
        let second = counter(store, spool: directory.path)
        let replay = try await second.replaySpools()
        #expect(replay.files == 1 && replay.batches == 2)
        #expect(replay.appliedViews == 3, "the half-succeeded batch must not be added again")
        #expect(store.storedVisits == 7)
        #expect(try directory.files().filter { $0.hasSuffix(".spool") }.isEmpty)
        #expect(try await counter(store, spool: directory.path).replaySpools() == .init())
    }

    @Test func aDamagedSpoolKeepsItsGoodPrefix() async throws {
        let directory = try TemporaryDirectory()
        var bytes = CounterSpoolFormat.encode([VisitBatch(instance: "gone", sequence: 1, delta: 5)])
        bytes += Array("batch gone 2 9 deadbeef\nbatch gone 3 1 00".utf8)
        try directory.write("gone.spool", bytes)
        let store = InMemoryStore()
        let replay = try await counter(store, spool: directory.path).replaySpools()
        #expect(replay.damagedFiles == 1 && replay.batches == 1 && store.storedVisits == 5)
    }

    @Test func aLiveProcessSpoolIsNotTakenOver() async throws {
        let directory = try TemporaryDirectory()
        let store = InMemoryStore()
        let live = counter(store, spool: directory.path, budget: .milliseconds(50))
        let running = Task { try await live.run() }
        store.failing = true
        _ = await live.recordView()
        while try directory.files().filter({ $0.hasSuffix(".spool") }).isEmpty {
            _ = await live.flush()  // a failed write checkpoints the spool
            try await Task.sleep(for: .milliseconds(5))
        }
        store.failing = false
        #expect(try await counter(store, spool: directory.path).replaySpools().files == 0)
        running.cancel()
        try await running.value
        #expect(store.storedVisits == 1)
    }

    @Test func aHungDatabaseStillGetsTheSpoolCheckpointedEveryInterval() async throws {
        let directory = try TemporaryDirectory()
        let store = InMemoryStore()
        store.hangWrites()  // the first write never fails: it just does not return
        let counter = VisitorCounter(
            store: store,
            configuration: .init(mode: .batched(flushInterval: .milliseconds(10)), spoolDirectory: directory.path, checkpointInterval: .milliseconds(50)),
            logger: logger)
        let running = Task { try await counter.run() }
        func spooledViews() throws -> Int64 {
            guard let name = try directory.files().first(where: { $0.hasSuffix(".spool") }),
                let bytes = SmallFile.read("\(directory.path)/\(name)")
            else { return 0 }
            return CounterSpoolFormat.decode(bytes).batches.reduce(0) { $0 + $1.delta }
        }
        for round in 1...3 {
            for _ in 0..<5 { _ = await counter.recordView() }
            // The checkpoint follows the views although no write has failed yet.
            for _ in 0..<200 where try spooledViews() < Int64(5 * round) { try await Task.sleep(for: .milliseconds(5)) }
            #expect(try spooledViews() == Int64(5 * round))
        }
        running.cancel()
        store.releaseWrites()
        try await running.value
    }

    @Test func theFinalWriteEndsWithinItsBudgetWhenTheDatabaseHangs() async throws {
        let directory = try TemporaryDirectory()
        let store = InMemoryStore()
        let counter = counter(store, spool: directory.path, budget: .milliseconds(200))
        let running = Task { try await counter.run() }
        store.hangWrites()
        _ = await counter.recordView()
        let clock = ContinuousClock()
        let start = clock.now
        running.cancel()
        try await running.value
        let took = clock.now - start
        // The write never returns until released: finishing at all proves it was not awaited.
        #expect(took < .seconds(5), "the final write took \(took) with a 200 ms budget")
        store.releaseWrites()  // the hung write finishes now: applied once
        try await Task.sleep(for: .milliseconds(20))
        _ = try await self.counter(store, spool: directory.path).replaySpools()
        #expect(store.storedVisits == 1)
    }

    @Test func tooManyUnwrittenViewsTakeThisInstanceOutOfRotation() async throws {
        let store = InMemoryStore()
        let readiness = Readiness()
        readiness.markReady()
        let counter = counter(store, readiness: readiness, maxPending: 3)
        store.failing = true
        for _ in 0..<3 { _ = await counter.recordView() }
        #expect(readiness.isReady)
        _ = await counter.recordView()
        #expect(!readiness.isReady && readiness.reason.contains("views not written"))
        store.failing = false
        while await !counter.flush() {}
        #expect(readiness.isReady)
    }

    @Test func runFlushesOnItsInterval() async throws {
        let store = InMemoryStore()
        let counter = counter(store, .batched(flushInterval: .milliseconds(20)))
        let running = Task { try await counter.run() }
        _ = await counter.recordView()
        for _ in 0..<100 where store.storedVisits == 0 { try await Task.sleep(for: .milliseconds(10)) }
        running.cancel()
        #expect(store.storedVisits == 1)
    }
}

/// A fresh folder under /tmp, removed when the value goes.
final class TemporaryDirectory {
    let path: String

    init() throws {
        var template = Array("/tmp/barkd-test-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw CounterSpool.Failure(description: "mkdtemp failed") }
        path = String(cString: made)
    }

    func files() throws -> [String] {
        guard let dir = opendir(path) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    func write(_ name: String, _ bytes: [UInt8]) throws {
        let fd = open("\(path)/\(name)", O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        defer { close(fd) }
        _ = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
    }

    deinit {
        for name in (try? files()) ?? [] { unlink("\(path)/\(name)") }
        rmdir(path)
    }
}
