import Glibc
import Logging
import Synchronization
import TestSupport

@testable import EventLoop
@testable import Server

/// One ``HTTPConnection`` serving one end of a socketpair on an event loop of its own,
/// as the server runs it (a task preferring the loop); the test holds the other end.
///
/// The loop's clock is manual by default: a timeout happens when the test advances the
/// clock past it (``advanceClock(by:)``), never by waiting, so timeout tests take no
/// time and cannot race the wall clock.
final class ConnectionHarness {
    let group: EventLoopGroup
    let client: TestClient
    let stats: HTTPServerStats
    private let context: HTTPServerContext
    private let connection = LoopConfined<HTTPConnection>()
    private let finished = Flag()
    private let task: Mutex<Task<Void, Never>?> = Mutex(nil)

    var loop: EventLoop { group.loops[0] }

    /// Runs `body` with a connection answered by `responder`, then tears everything down
    /// (bounded: a connection that does not end fails the test).
    static func run(
        configuration: HTTPServerConfiguration = HTTPServerConfiguration(), clock: LoopClock = .manual,
        logger: Logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() },
        responder: some HTTPResponder = TestResponder.echo, drainingFromStart: Bool = false,
        _ body: (ConnectionHarness) async throws -> Void
    ) async throws {
        let harness = try ConnectionHarness(
            configuration: configuration, clock: clock, logger: logger, responder: responder, drainingFromStart: drainingFromStart)
        do {
            try await body(harness)
        } catch {
            try? await harness.stop()
            throw error
        }
        try await harness.stop()
    }

    /// `drainingFromStart`: the server's drain reaches the connection before it runs, as
    /// it does one accepted just before the drain (or taken from the listener's backlog).
    private init(
        configuration: HTTPServerConfiguration, clock: LoopClock, logger: Logger, responder: some HTTPResponder, drainingFromStart: Bool
    ) throws {
        group = try EventLoopGroup(loopCount: 1, clock: clock)
        var fds: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &fds) == 0 else {
            group.shutdown()
            throw WaitTimedOut("socketpair failed: errno \(errno)")
        }
        client = TestClient(fd: fds[0])
        stats = HTTPServerStats(loopCount: 1)
        context = HTTPServerContext(
            responder: responder, configuration: configuration, stats: stats, logger: logger, drainStarted: DrainFlag()
        )
        let serverFD = fds[1]
        _ = fcntl(serverFD, F_SETFL, fcntl(serverFD, F_GETFL) | O_NONBLOCK)
        let (loop, context, stats, connection, finished) = (loop, context, stats, connection, finished)
        let task = Task(executorPreference: loop) {
            defer { finished.set() }
            guard let socket = try? Socket(adopting: serverFD, on: loop) else { return }
            let served = HTTPConnection(socket: socket, remote: "test-peer", context: context, loopStats: stats.perLoop[0], readBuffers: ReadBufferPool())
            connection.value = served
            if drainingFromStart {
                _ = context.drainStarted.set()
                served.beginDrain()
            }
            await served.run()
        }
        self.task.withLock { $0 = task }
    }

    /// True once the connection's task returned (its socket is closed).
    var isFinished: Bool { finished.isSet }

    /// Waits (bounded) until the connection has ended.
    func waitUntilFinished(timeout: Duration = .seconds(5)) async throws {
        try await waitUntil("the connection ends", timeout: timeout) { isFinished }
    }

    /// Runs `body` with the connection on its loop.
    func onLoop<T: Sendable>(_ body: @escaping @Sendable (HTTPConnection) -> T) async throws -> T {
        let connection = connection
        return try await loop.submit {
            guard let value = connection.value else { throw WaitTimedOut("the connection has not started") }
            return body(value)
        }
    }

    /// Waits until the connection has taken in everything the client sent and waits
    /// for more: from then on, the deadline it waits with is the one its input implies.
    func waitUntilReading() async throws {
        try await waitUntil("the connection reads everything sent and waits to read") {
            isFinished ? true : try await onLoop { $0.socket.hasWaitingReader && !Self.hasUnread($0.socket.fd) }
        }
    }

    /// Waits until the connection waits for the client to read (its write is blocked).
    func waitUntilWriteBlocked() async throws {
        try await waitUntil("the connection's write waits for the client") {
            try await onLoop { $0.socket.registration.writeWaiter != nil }
        }
    }

    /// Once the connection waits to read, moves the loop's manual clock forward by
    /// `duration` (running the timers that came due).
    func advanceClock(by duration: Duration) async throws {
        try await waitUntilReading()
        try await advanceClockNow(by: duration)
    }

    /// Moves the loop's manual clock forward by `duration` now, whatever the connection does.
    func advanceClockNow(by duration: Duration) async throws {
        let loop = loop
        try await loop.submit { loop.advanceClock(by: duration) }
    }

    /// Drains as ``HTTPServer/beginDrain()`` does: the server's flag first, then the
    /// connection on its loop.
    func beginDrain() async throws {
        _ = context.drainStarted.set()
        _ = try await onLoop { $0.beginDrain() }
    }

    /// Sends `text` from the client and begins the drain in the same turn of the loop,
    /// before the loop hears that the bytes arrived: a request that came with the drain.
    func beginDrain(whileSending text: String) async throws {
        _ = context.drainStarted.set()
        let (fd, bytes) = (client.fd, Array(text.utf8))
        _ = try await onLoop { connection in
            let sent = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            connection.beginDrain()
            return sent
        }
    }

    private func stop() async throws {
        task.withLock { $0 }?.cancel()
        do {
            try await waitUntilFinished()
        } catch {
            group.shutdown()
            throw error
        }
        group.shutdown()
    }

    private static func hasUnread(_ fd: Int32) -> Bool {
        var byte: UInt8 = 0
        return recv(fd, &byte, 1, Int32(MSG_PEEK) | Int32(MSG_DONTWAIT)) > 0
    }
}

/// A value that lives on one event loop: set and read only there (through
/// `EventLoop.submit` or from a task running on the loop), which is what makes the
/// `@unchecked Sendable` sound.
final class LoopConfined<Value>: @unchecked Sendable {
    var value: Value?
}

/// A flag one task sets and others read.
final class Flag: Sendable {
    private let value = Atomic<Bool>(false)

    func set() { value.store(true, ordering: .releasing) }

    var isSet: Bool { value.load(ordering: .acquiring) }
}
