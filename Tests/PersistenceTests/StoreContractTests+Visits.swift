import CLinuxShim
import Testing

@testable import Persistence

/// The exactly-once visitor counter (``Store/applyVisits(_:)``), on SQLite and MariaDB alike.
extension StoreContractTests {
    static let a = String(repeating: "a", count: 32)
    static let b = String(repeating: "b", count: 32)
    static let c = String(repeating: "c", count: 32)

    @Test(arguments: Backend.allCases)
    func sameBatchTwiceCountsOnce(backend: Backend) async throws {
        try await withTestDatabase(backend) { database in
            let store = database.store()
            try await store.migrate()
            let batch = VisitBatch(instance: Self.a, sequence: 1, delta: 5)
            #expect(try await store.applyVisits(batch) == VisitWrite(total: 5, appliedNow: true))
            #expect(try await store.applyVisits(batch) == VisitWrite(total: 5, appliedNow: false))
            // Another replica's store sees the same ledger.
            #expect(try await database.store().applyVisits(batch) == VisitWrite(total: 5, appliedNow: false))
            #expect(try await store.applyVisits(VisitBatch(instance: Self.a, sequence: 2, delta: 3)) == VisitWrite(total: 8, appliedNow: true))
            #expect(try await store.visitorCount() == 8)
        }
    }

    @Test(arguments: Backend.allCases)
    func olderSequenceAfterNewerIsNotApplied(backend: Backend) async throws {
        try await withTestDatabase(backend) { database in
            let store = database.store()
            try await store.migrate()
            #expect(try await store.applyVisits(VisitBatch(instance: Self.a, sequence: 3, delta: 2)) == VisitWrite(total: 2, appliedNow: true))
            #expect(try await store.applyVisits(VisitBatch(instance: Self.a, sequence: 2, delta: 7)) == VisitWrite(total: 2, appliedNow: false))
            #expect(try await store.applyVisits(VisitBatch(instance: Self.a, sequence: 1, delta: 7)) == VisitWrite(total: 2, appliedNow: false))
            #expect(try await store.applyVisits(VisitBatch(instance: Self.a, sequence: 4, delta: 1)) == VisitWrite(total: 3, appliedNow: true))
            #expect(try await store.visitorCount() == 3)
        }
    }

    @Test(arguments: Backend.allCases)
    func interleavedInstancesBothCount(backend: Backend) async throws {
        try await withTestDatabase(backend) { database in
            let store = database.store()
            try await store.migrate()
            let steps: [(VisitBatch, VisitWrite)] = [
                (VisitBatch(instance: Self.a, sequence: 1, delta: 1), VisitWrite(total: 1, appliedNow: true)),
                (VisitBatch(instance: Self.b, sequence: 1, delta: 10), VisitWrite(total: 11, appliedNow: true)),
                (VisitBatch(instance: Self.a, sequence: 2, delta: 2), VisitWrite(total: 13, appliedNow: true)),
                (VisitBatch(instance: Self.b, sequence: 1, delta: 10), VisitWrite(total: 13, appliedNow: false)),
                (VisitBatch(instance: Self.b, sequence: 2, delta: 20), VisitWrite(total: 33, appliedNow: true)),
                (VisitBatch(instance: Self.a, sequence: 2, delta: 2), VisitWrite(total: 33, appliedNow: false)),
                (VisitBatch(instance: Self.a, sequence: 3, delta: 3), VisitWrite(total: 36, appliedNow: true)),
            ]
            for (batch, expected) in steps {
                #expect(try await store.applyVisits(batch) == expected, "\(batch)")
            }
            #expect(try await store.visitorCount() == 36)
        }
    }

    /// Three instances flush in parallel through three stores (replicas); each flush is
    /// also sent by three tasks at once (a retry racing the original): exactly one of
    /// them applies it, and the total is exact.
    @Test(arguments: Backend.allCases)
    func concurrentBatchesOfThreeInstancesSumExactly(backend: Backend) async throws {
        try await withTestDatabase(backend) { database in
            let stores = (0..<3).map { _ in database.store() }
            try await stores[0].migrate()
            let flushes = 15
            let instances = [Self.a, Self.b, Self.c]
            let results = try await withThrowingTaskGroup(of: [(VisitBatch, VisitWrite)].self) { group in
                for (index, instance) in instances.enumerated() {
                    group.addTask {
                        var results: [(VisitBatch, VisitWrite)] = []
                        for sequence in 1...Int64(flushes) {
                            let batch = VisitBatch(instance: instance, sequence: sequence, delta: Int64(index + 1) * sequence)
                            let attempts = try await withThrowingTaskGroup(of: VisitWrite.self) { attempts in
                                for store in stores {
                                    attempts.addTask { try await store.applyVisits(batch) }
                                }
                                return try await attempts.reduce(into: []) { $0.append($1) }
                            }
                            results += attempts.map { (batch, $0) }
                        }
                        return results
                    }
                }
                return try await group.reduce(into: []) { $0 += $1 }
            }
            let expected = (1...Int64(flushes)).reduce(0) { $0 + 6 * $1 }
            #expect(try await stores[1].visitorCount() == expected)
            let applied = results.filter { $0.1.appliedNow }
            #expect(applied.count == instances.count * flushes, "each batch applied exactly once")
            #expect(Set(applied.map(\.0)).count == applied.count)
            #expect(Set(applied.map(\.1.total)).count == applied.count, "every applied batch saw its own new total")
            #expect(applied.map(\.1.total).max() == expected)
        }
    }

    @Test(arguments: Backend.allCases)
    func pruningRemovesOnlyOldInstances(backend: Backend) async throws {
        try await withTestDatabase(backend) { database in
            let store = database.store()
            try await store.migrate()
            let old = VisitBatch(instance: Self.a, sequence: 1, delta: 1)
            let recent = VisitBatch(instance: Self.b, sequence: 1, delta: 1)
            _ = try await store.applyVisits(old)
            _ = try await store.applyVisits(recent)
            let now = barkd_realtime_seconds()
            try await store.executeForTesting(
                "UPDATE visitor_counter_ledger SET updated_at = ? WHERE instance_id = ?", [.integer(now - 90_000), .text(Self.a)])
            #expect(try await store.pruneVisitLedger(before: now - 86_400) == 1)
            #expect(try await store.pruneVisitLedger(before: now - 86_400) == 0)
            // The recent instance's retry is still recognised…
            #expect(try await store.applyVisits(recent) == VisitWrite(total: 2, appliedNow: false))
            // …the pruned one's is not (why the pruning horizon must exceed any retry).
            #expect(try await store.applyVisits(old) == VisitWrite(total: 3, appliedNow: true))
            #expect(try await store.pruneVisitLedger(before: now + 10) == 2)
            #expect(try await store.visitorCount() == 3)
        }
    }

    @Test(arguments: Backend.allCases)
    func migrationFromVersion1KeepsTheCount(backend: Backend) async throws {
        try await withTestDatabase(backend) { database in
            let store = database.store()
            try await store.migrateForTesting(upTo: 1)
            #expect(try await store.schemaVersion() == 1)
            try await store.executeForTesting("UPDATE visitor_counter SET count = 41 WHERE id = 1")
            try await store.migrate()
            #expect(try await store.schemaVersion() == 2)
            #expect(try await store.visitorCount() == 41)
            #expect(try await store.applyVisits(VisitBatch(instance: Self.a, sequence: 1, delta: 1)) == VisitWrite(total: 42, appliedNow: true))
        }
    }

    @Test(arguments: Backend.allCases)
    func invalidBatchesAreRejected(backend: Backend) async throws {
        try await withTestDatabase(backend) { database in
            let store = database.store()
            try await store.migrate()
            let longest = String(repeating: "é", count: 64)
            for batch in [
                VisitBatch(instance: "", sequence: 1, delta: 1),
                VisitBatch(instance: longest + "x", sequence: 1, delta: 1),
                VisitBatch(instance: Self.a, sequence: 0, delta: 1),
                VisitBatch(instance: Self.a, sequence: -1, delta: 1),
                VisitBatch(instance: Self.a, sequence: 1, delta: 0),
                VisitBatch(instance: Self.a, sequence: 1, delta: -5),
            ] {
                await #expect("\(batch)") {
                    _ = try await store.applyVisits(batch)
                } throws: { error in
                    if case .rejected = error as? StoreError { true } else { false }
                }
            }
            #expect(try await store.applyVisits(VisitBatch(instance: longest, sequence: 1, delta: 2)) == VisitWrite(total: 2, appliedNow: true))
            #expect(try await store.visitorCount() == 2)
        }
    }

    @Test(arguments: Backend.allCases)
    func ledgerSurvivesReopening(backend: Backend) async throws {
        try await withTestDatabase(backend) { database in
            let first = database.store()
            try await first.migrate()
            let batch = VisitBatch(instance: Self.a, sequence: 7, delta: 5)
            #expect(try await first.applyVisits(batch).total == 5)
            await first.close()
            await #expect(throws: StoreError.self) { _ = try await first.visitorCount() }
            let second = database.store()
            try await second.migrate()
            #expect(try await second.visitorCount() == 5)
            #expect(try await second.applyVisits(batch) == VisitWrite(total: 5, appliedNow: false))
            #expect(try await second.applyVisits(VisitBatch(instance: Self.a, sequence: 8, delta: 2)) == VisitWrite(total: 7, appliedNow: true))
        }
    }
}
