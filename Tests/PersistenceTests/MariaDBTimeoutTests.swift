import Testing

@testable import Persistence

/// What the connect/read/write timeouts bound, measured on the test MariaDB.
@Suite("MariaDB timeouts")
struct MariaDBTimeoutTests {
    static let pool = DatabasePoolConfiguration(
        size: 1, queueLimit: 8, waitTimeout: .seconds(2),
        reconnectInitialDelay: .milliseconds(50), reconnectMaximumDelay: .milliseconds(200))

    @Test func defaultsFitTheShutdownBudget() {
        let defaults = MariaDBTimeouts()
        #expect(defaults.connect == .seconds(3) && defaults.read == .seconds(5) && defaults.write == .seconds(5))
        #expect(MariaDBConnection.migrationLockSeconds(read: defaults.read) == 4)
        #expect(MariaDBConnection.migrationLockSeconds(read: .seconds(2)) == 1)
        #expect(MariaDBConnection.migrationLockSeconds(read: .milliseconds(1500)) == 1)
        #expect(MariaDBConnection.migrationLockSeconds(read: .seconds(600)) == 30)
        #expect(MariaDBConnection.wholeSeconds(.milliseconds(1)) == 1)
        #expect(MariaDBConnection.wholeSeconds(.milliseconds(2001)) == 3)
    }

    /// A batch blocked by another session's row lock fails after the read timeout (once,
    /// not three times), the server rolls it back, and its retry counts once.
    @Test(.timeLimit(.minutes(1)))
    func aWriteBlockedByARowLockFailsAfterTheReadTimeout() async throws {
        try await withTestDatabase(.mariadb) { database in
            let (url, password) = try #require(database.mariaDBLocation)
            let locker = MariaDBStore(url: url, password: password, pool: Self.pool)
            try await locker.migrate()
            try await locker.executeForTesting("START TRANSACTION")
            try await locker.executeForTesting("SELECT count FROM visitor_counter WHERE id = 1 FOR UPDATE")

            let store = MariaDBStore(
                url: url, password: password, pool: Self.pool,
                timeouts: MariaDBTimeouts(connect: .seconds(2), read: .seconds(2), write: .seconds(2)))
            _ = try await store.ping()
            let batch = VisitBatch(instance: "blocked", sequence: 1, delta: 4)
            let clock = ContinuousClock()
            let start = clock.now
            await #expect {
                _ = try await store.applyVisits(batch)
            } throws: { error in
                if case .unavailable = error as? StoreError { true } else { false }
            }
            let took = clock.now - start
            // barkd's 2 s read timeout ended it, not the server's lock wait (50 s): the upper
            // bound tells the two apart, with room for a loaded machine.
            #expect(took >= .milliseconds(1900) && took < .seconds(20), "failed after \(took)")

            try await locker.executeForTesting("ROLLBACK")
            let deadline = clock.now + .seconds(30)
            var retried: VisitWrite?
            while retried == nil, clock.now < deadline {
                retried = try? await store.applyVisits(batch)
                if retried == nil { try await Task.sleep(for: .milliseconds(50)) }
            }
            #expect(retried?.total == 4)
            #expect(try await locker.visitorCount() == 4)
            await store.close()
            await locker.close()
        }
    }

    /// Another replica holds the migration lock longer than this one's read timeout: the
    /// migration waits in several `GET_LOCK` calls (each shorter than the read timeout)
    /// instead of failing.
    @Test(.timeLimit(.minutes(1)))
    func migrationWaitsForTheLockLongerThanTheReadTimeout() async throws {
        try await withTestDatabase(.mariadb) { database in
            let (url, password) = try #require(database.mariaDBLocation)
            let lockName = "LEFT(CONCAT('barkd_migrate:', DATABASE()), 64)"
            let holder = MariaDBStore(url: url, password: password, pool: Self.pool)
            try await holder.executeForTesting("DO GET_LOCK(\(lockName), 0)")

            let store = MariaDBStore(
                url: url, password: password, pool: Self.pool,
                timeouts: MariaDBTimeouts(connect: .seconds(2), read: .seconds(2), write: .seconds(2)))
            let clock = ContinuousClock()
            let start = clock.now
            async let migrated: Void = store.migrate()
            // Held for 3 s: three of the store's 1 s waits, past its 2 s read timeout.
            try await Task.sleep(for: .seconds(3))
            try await holder.executeForTesting("DO RELEASE_LOCK(\(lockName))")
            try await migrated
            #expect(clock.now - start >= .seconds(3))
            #expect(try await store.schemaVersion() == SQLiteSchema.migrations.last!.version)
            await store.close()
            await holder.close()
        }
    }
}
