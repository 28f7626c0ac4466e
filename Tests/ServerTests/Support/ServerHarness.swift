import Logging
import ServiceLifecycleTestKit
import Synchronization
import TestSupport

@testable import EventLoop
@testable import Server

/// An ``HTTPServer`` listening on 127.0.0.1 (a free port), running in the test as a
/// service would: ``HTTPServer/run()`` under a graceful-shutdown trigger the test pulls.
final class ServerHarness {
    let group: EventLoopGroup
    let server: HTTPServer
    let port: Int
    private let trigger: GracefulShutdownTestTrigger
    private let runReturned = Flag()
    private let task: Mutex<Task<Void, Never>?> = Mutex(nil)

    /// Runs `body` with a started server answered by `responder`, then shuts it down
    /// (bounded: a server that does not stop fails the test).
    static func run(
        configuration: HTTPServerConfiguration = HTTPServerConfiguration(), loops: Int = 1,
        responder: some HTTPResponder = TestResponder.echo, _ body: (ServerHarness) async throws -> Void
    ) async throws {
        var configuration = configuration
        configuration.host = "127.0.0.1"
        configuration.port = 0
        try await testGracefulShutdown { trigger in
            let harness = try ServerHarness(configuration: configuration, loops: loops, responder: responder, trigger: trigger)
            do {
                try await body(harness)
            } catch {
                try? await harness.stop()
                throw error
            }
            try await harness.stop()
        }
    }

    private init(configuration: HTTPServerConfiguration, loops: Int, responder: some HTTPResponder, trigger: GracefulShutdownTestTrigger) throws {
        group = try EventLoopGroup(loopCount: loops)
        do {
            server = try HTTPServer(
                configuration: configuration, responder: responder, group: group,
                logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() })
        } catch {
            group.shutdown()
            throw error
        }
        port = server.localAddresses[0].port
        self.trigger = trigger
        let (server, runReturned) = (server, runReturned)
        let task = Task {
            try? await server.run()
            runReturned.set()
        }
        self.task.withLock { $0 = task }
    }

    /// A new client connection.
    func connect() throws -> TestClient { try TestClient.connect(port: port) }

    /// Sends SIGTERM's equivalent: the graceful shutdown that makes ``HTTPServer/run()`` drain.
    func shutDownGracefully() { trigger.triggerGracefulShutdown() }

    /// True once ``HTTPServer/run()`` returned.
    var hasStopped: Bool { runReturned.isSet }

    /// Waits (bounded) for ``HTTPServer/run()`` to return.
    func waitUntilStopped(timeout: Duration = .seconds(5)) async throws {
        try await waitUntil("HTTPServer.run() returns", timeout: timeout) { hasStopped }
    }

    private func stop() async throws {
        shutDownGracefully()
        task.withLock { $0 }?.cancel()
        defer { group.shutdown() }
        try await waitUntilStopped()
    }
}
