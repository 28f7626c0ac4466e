import Foundation
import Glibc
import Testing

@testable import Persistence

/// MariaDB-only behaviour: unreachable servers, recovery, TLS refusal, and that the
/// password never leaks into errors or descriptions.
@Suite("MariaDB faults")
struct MariaDBFaultTests {
    static let fastPool = DatabasePoolConfiguration(
        size: 2, queueLimit: 8, waitTimeout: .seconds(2),
        reconnectInitialDelay: .milliseconds(50), reconnectMaximumDelay: .milliseconds(200)
    )

    @Test func deadPortIsUnavailableQuickly() async throws {
        let port = try ClosedPort.find()
        let url = DatabaseURL(user: "barkd", host: "127.0.0.1", port: port, database: "barkd_test")
        let store = MariaDBStore(
            url: url, password: DatabasePassword("dead-port-Secret-123"), pool: Self.fastPool,
            timeouts: MariaDBTimeouts(connect: .seconds(10)))
        let clock = ContinuousClock()
        let start = clock.now
        for _ in 0..<3 {
            await #expect {
                _ = try await store.visitorCount()
            } throws: { error in
                guard case .unavailable(let reason) = error as? StoreError else { return false }
                return !"\(error)".contains("dead-port-Secret-123") && !reason.isEmpty
            }
        }
        // A refused connection fails at once: all three calls together take less than one
        // connect timeout (a behaviour, not a speed: the bound is far above the real time).
        #expect(clock.now - start < .seconds(10))
        let stats = store.poolStats
        #expect(stats.connectFailuresTotal >= 1)
        #expect(stats.broken >= 1)
        #expect(stats.connected == 0)
        await store.close()
    }

    @Test func silentServerTimesOutAsUnavailable() async throws {
        let listener = try SilentListener()
        defer { listener.close() }
        let url = DatabaseURL(user: "barkd", host: "127.0.0.1", port: listener.port, database: "barkd_test")
        let store = MariaDBStore(url: url, pool: Self.fastPool, timeouts: MariaDBTimeouts(connect: .seconds(1), read: .seconds(1)))
        let clock = ContinuousClock()
        let start = clock.now
        await #expect {
            _ = try await store.ping()
        } throws: { error in
            if case .unavailable = error as? StoreError { true } else { false }
        }
        let took = clock.now - start
        #expect(took < .seconds(10), "took \(took)")  // the 1 s timeouts fired; nothing hung
        await store.close()
    }

    @Test func passwordNeverAppearsInErrorsOrDescriptions() async throws {
        let server = try MariaDBServer.fromEnvironment()
        let secret = "Wr0ng-Pa55word-\(UInt32.random(in: 1000...9999))"
        var urlWithPassword = server.url
        urlWithPassword.password = DatabasePassword(secret)
        let store = MariaDBStore(url: urlWithPassword, pool: Self.fastPool)
        await #expect {
            _ = try await store.ping()
        } throws: { error in
            let texts = ["\(error)", String(reflecting: error), (error as? StoreError)?.description ?? ""]
            // The public summary carries no driver text (user, host, database).
            let summary = StoreError.publicSummary(of: error)
            return texts.allSatisfy { !$0.contains(secret) } && texts[0].contains("Access denied")
                && summary == "database unavailable" && !summary.contains(server.url.user)
        }
        for text in [
            String(describing: urlWithPassword), String(reflecting: urlWithPassword), dumped(urlWithPassword),
            String(describing: store.url),
            dumped(
                MariaDBConnector(
                    url: server.url, password: DatabasePassword(secret),
                    timeouts: MariaDBTimeouts())),
        ] {
            #expect(!text.contains(secret), "\(text)")
        }
        let parsed = try DatabaseURL(parsing: "mariadb://barkd:\(secret)@127.0.0.1:3306/barkd")
        #expect(!"\(parsed)".contains(secret) && !dumped(parsed).contains(secret))
        #expect(parsed.password?.value == secret)
        await store.close()
    }

    @Test func tlsModes() async throws {
        let server = try MariaDBServer.fromEnvironment()
        func ping(_ tls: DatabaseURL.TLSMode, ca: String? = nil) async throws {
            var url = server.url
            url.tls = tls
            url.tlsCA = ca
            let store = MariaDBStore(url: url, password: server.password, pool: Self.fastPool)
            do {
                _ = try await store.ping()
            } catch {
                await store.close()
                throw error
            }
            await store.close()
        }
        // The test server offers TLS with a self-signed certificate (ca.pem).
        try await ping(.required)
        try await ping(.preferred)
        try await ping(.verifyIdentity, ca: server.certificateFile)
        try await ping(.verifyCA, ca: server.certificateFile)
        // Without tls-ca the system's CA store does not know the self-signed certificate.
        await #expect {
            try await ping(.verifyIdentity)
        } throws: { error in
            guard case .unavailable(let reason) = error as? StoreError else { return false }
            return reason.contains("self-signed") || reason.contains("certificate")
        }
    }

    /// The server commits a batch but its answer never arrives (the relay cuts the
    /// connection right after the COMMIT's reply): the call fails as unavailable, the
    /// broken connection is discarded, and the retry of the same batch finds it applied.
    @Test(.timeLimit(.minutes(1)))
    func retryAfterALostCommitReplyCountsOnce() async throws {
        try await withTestDatabase(.mariadb) { database in
            let direct = database.store()
            try await direct.migrate()
            _ = try await direct.applyVisits(VisitBatch(instance: "other", sequence: 1, delta: 100))
            let (url, password) = try #require(database.mariaDBLocation)
            let relay = try CommitCuttingRelay(upstreamPort: url.port)
            defer { relay.close() }
            var relayed = url
            relayed.port = relay.port
            let store = MariaDBStore(
                url: relayed, password: password, pool: Self.fastPool,
                timeouts: MariaDBTimeouts(connect: .seconds(2), read: .seconds(2), write: .seconds(2)))
            _ = try await store.ping()

            let batch = VisitBatch(instance: "lost-commit-reply", sequence: 1, delta: 7)
            relay.armCutAfterNextCommit()
            await #expect {
                _ = try await store.applyVisits(batch)
            } throws: { error in
                if case .unavailable = error as? StoreError { true } else { false }
            }
            #expect(relay.cuts == 1)
            #expect(store.poolStats.brokenTotal >= 1)
            // The server did commit.
            #expect(try await direct.visitorCount() == 107)

            let clock = ContinuousClock()
            let deadline = clock.now + .seconds(10)
            var retried: VisitWrite?
            while retried == nil, clock.now < deadline {
                retried = try? await store.applyVisits(batch)
                if retried == nil { try await Task.sleep(for: .milliseconds(50)) }
            }
            #expect(retried == VisitWrite(total: 107, appliedNow: false))
            #expect(try await store.applyVisits(VisitBatch(instance: "lost-commit-reply", sequence: 2, delta: 1)).total == 108)
            #expect(try await direct.visitorCount() == 108)
            await store.close()
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func recoversWhenTheServerComesBack() async throws {
        try await OwnMariaDB.withServer { server in
            let store = MariaDBStore(
                url: server.url, password: server.password, pool: Self.fastPool,
                timeouts: MariaDBTimeouts(connect: .seconds(1), read: .seconds(2), write: .seconds(2)))
            try await store.migrate()
            #expect(try await store.applyVisits(VisitBatch(instance: "recover", sequence: 1, delta: 3)).total == 3)

            try await server.stop()
            let clock = ContinuousClock()
            let start = clock.now
            for _ in 0..<3 {
                await #expect {
                    _ = try await store.applyVisits(VisitBatch(instance: "recover", sequence: 2, delta: 1))
                } throws: { error in
                    if case .unavailable = error as? StoreError { true } else { false }
                }
            }
            // Refused at once: less than the three 2 s pool waits they would take if hung.
            #expect(clock.now - start < .seconds(5))
            #expect(store.poolStats.broken >= 1)

            try await server.restart()
            var recovered: Int64?
            let deadline = clock.now + .seconds(10)
            while recovered == nil, clock.now < deadline {
                recovered = try? await store.applyVisits(VisitBatch(instance: "recover", sequence: 2, delta: 1)).total
                if recovered == nil { try await Task.sleep(for: .milliseconds(50)) }
            }
            #expect(recovered == 4)
            #expect(try await store.visitorCount() == 4)
            let stats = store.poolStats
            #expect(stats.brokenTotal >= 1)
            #expect(stats.connectsTotal >= 2)
            await store.close()
        }
    }
}

private func dumped(_ value: some Any) -> String {
    var text = ""
    dump(value, to: &text)
    return text
}

/// A 127.0.0.1 port with nothing listening (bound, then closed).
enum ClosedPort {
    static func find() throws -> Int {
        let listener = try SilentListener()
        let port = listener.port
        listener.close()
        return port
    }
}

/// A listening socket on 127.0.0.1 that never accepts: connections complete in the
/// kernel but no server greeting ever comes.
final class SilentListener: Sendable {
    let fd: Int32
    let port: Int

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestSetupError(description: "socket failed") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 16) == 0 else {
            Glibc.close(fd)
            throw TestSetupError(description: "bind/listen failed")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        self.fd = fd
        self.port = Int(UInt16(bigEndian: address.sin_port))
    }

    func close() {
        _ = Glibc.close(fd)
    }
}

/// A MariaDB server of this test's own (`scripts/mariadb-test-server.sh` in a temporary
/// directory), stopped by the PID the script recorded.
struct OwnMariaDB: Sendable {
    let directory: String
    let url: DatabaseURL
    let password: DatabasePassword

    static let script = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("scripts/mariadb-test-server.sh").path

    /// Starts a server in a new temporary directory; `prepare` may put files there first
    /// (`server-cert.pem` and `server-key.pem`: the certificate the server presents).
    static func start(prepare: (String) async throws -> Void = { _ in }) async throws -> OwnMariaDB {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("barkd-mariadb-\(UInt32.random(in: 0...UInt32.max))").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try await prepare(directory)
        try await run(["start", directory])
        let url = try String(contentsOfFile: directory + "/url", encoding: .utf8)
        let password = try String(contentsOfFile: directory + "/password", encoding: .utf8)
        return OwnMariaDB(
            directory: directory,
            url: try DatabaseURL(parsing: url.trimmingCharacters(in: .whitespacesAndNewlines)),
            password: DatabasePassword(password))
    }

    /// Runs `body` with a server of its own, stopped and removed afterwards (also when
    /// `body` throws).
    static func withServer(
        prepare: (String) async throws -> Void = { _ in }, _ body: (OwnMariaDB) async throws -> Void
    ) async throws {
        let server = try await start(prepare: prepare)
        do {
            try await body(server)
        } catch {
            try? await server.stop()
            server.remove()
            throw error
        }
        try await server.stop()
        server.remove()
    }

    func stop() async throws {
        try await Self.run(["stop", directory])
    }

    func restart() async throws {
        try await Self.run(["start", directory])
    }

    /// Runs SQL as root over the server's own socket (e.g. `FLUSH SSL`).
    func admin(_ sql: String) async throws {
        try await Subprocess.run(
            "/usr/bin/mariadb", ["--no-defaults", "--protocol=socket", "--socket=\(directory)/sock", "-uroot", "-e", sql])
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: directory)
    }

    private static func run(_ arguments: [String]) async throws {
        try await Subprocess.run(script, arguments)
    }
}
