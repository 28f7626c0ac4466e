import Foundation
import Observability
import Synchronization
import Testing

@testable import Persistence

/// The two stores the contract suite runs against.
enum Backend: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite
    case mariadb

    var testDescription: String { rawValue }
}

struct TestSetupError: Error, CustomStringConvertible {
    var description: String
}

/// A fresh, empty database for one test: a temporary directory (SQLite) or a new
/// database `barkd_test_<random>` on the test MariaDB that `scripts/test.sh` starts
/// (`BARKD_TEST_MARIADB_URL`, `BARKD_TEST_MARIADB_PASSWORD_FILE`). Stores made here are
/// closed, and the database removed, by ``withTestDatabase(_:_:)``.
final class TestDatabase: Sendable {
    let backend: Backend
    private let location: String
    private let mariaDB: MariaDBServer?
    private let stores = Mutex<[any PoolBackedStore]>([])

    private init(backend: Backend, location: String, mariaDB: MariaDBServer?) {
        self.backend = backend
        self.location = location
        self.mariaDB = mariaDB
    }

    static func make(_ backend: Backend) async throws -> TestDatabase {
        let name = "barkd_test_\(Hex.encode((0..<6).map { _ in UInt8.random(in: 0...255) }))"
        switch backend {
        case .sqlite:
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent(name).path
            return TestDatabase(backend: backend, location: directory, mariaDB: nil)
        case .mariadb:
            let server = try MariaDBServer.fromEnvironment()
            try await server.admin("CREATE DATABASE \(name) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
            return TestDatabase(backend: backend, location: name, mariaDB: server)
        }
    }

    /// A new store on this database (several may share it, like replicas).
    /// A store on the test database. Its pool waits up to 30 s for a connection (not the
    /// default 2 s): contract tests race several stores, and a loaded machine must not
    /// turn that into "busy"; the tests of the wait timeout pass their own configuration.
    func store(pool: DatabasePoolConfiguration = DatabasePoolConfiguration(waitTimeout: .seconds(30))) -> any PoolBackedStore {
        let store: any PoolBackedStore
        switch backend {
        case .sqlite:
            // Contract tests race several stores (replicas) on one file: a generous lock
            // wait keeps a loaded machine from turning contention into a failure.
            store = SQLiteStore(dataDirectory: location, pool: pool, busyTimeout: .seconds(30))
        case .mariadb:
            var url = mariaDB!.url
            url.database = location
            store = MariaDBStore(url: url, password: mariaDB!.password, pool: pool)
        }
        stores.withLock { $0.append(store) }
        return store
    }

    /// The test database's URL and password (MariaDB only).
    var mariaDBLocation: (url: DatabaseURL, password: DatabasePassword)? {
        guard let mariaDB else { return nil }
        var url = mariaDB.url
        url.database = location
        return (url, mariaDB.password)
    }

    /// Closes every store and removes the database.
    func destroy() async {
        for store in stores.withLock({ $0 }) {
            await store.close()
        }
        switch backend {
        case .sqlite:
            try? FileManager.default.removeItem(atPath: location)
        case .mariadb:
            try? await mariaDB?.admin("DROP DATABASE IF EXISTS \(location)")
        }
    }
}

/// Runs `body` with a fresh database and cleans up afterwards, also when it throws.
func withTestDatabase(_ backend: Backend, _ body: (TestDatabase) async throws -> Void) async throws {
    let database = try await TestDatabase.make(backend)
    do {
        try await body(database)
    } catch {
        await database.destroy()
        throw error
    }
    await database.destroy()
}

/// The test MariaDB server started by `scripts/test.sh` (or `scripts/mariadb-test-server.sh`).
struct MariaDBServer: Sendable {
    var url: DatabaseURL
    var password: DatabasePassword
    /// The server's self-signed TLS certificate (beside the password file).
    var certificateFile: String

    static func fromEnvironment() throws -> MariaDBServer {
        let environment = ProcessInfo.processInfo.environment
        guard let urlText = environment["BARKD_TEST_MARIADB_URL"], let passwordFile = environment["BARKD_TEST_MARIADB_PASSWORD_FILE"] else {
            throw TestSetupError(
                description: """
                    BARKD_TEST_MARIADB_URL and BARKD_TEST_MARIADB_PASSWORD_FILE are not set: the MariaDB \
                    contract tests need the test server. Run ./scripts/test.sh, or start one with \
                    `scripts/mariadb-test-server.sh start DIR` and export BARKD_TEST_MARIADB_URL=<printed URL> \
                    BARKD_TEST_MARIADB_PASSWORD_FILE=DIR/password
                    """)
        }
        let password = try String(contentsOfFile: passwordFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let directory = (passwordFile as NSString).deletingLastPathComponent
        return MariaDBServer(
            url: try DatabaseURL(parsing: urlText), password: DatabasePassword(password),
            certificateFile: directory + "/ca.pem")
    }

    /// Runs one statement on the base database (creating and dropping test databases).
    func admin(_ sql: String) async throws {
        let store = MariaDBStore(url: url, password: password, pool: DatabasePoolConfiguration(size: 1))
        do {
            try await store.executeForTesting(sql)
        } catch {
            await store.close()
            throw error
        }
        await store.close()
    }
}
