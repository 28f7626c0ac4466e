public import EventLoop
import Glibc
public import Logging
public import ServiceLifecycle
import Synchronization

/// barkd's HTTP/1.1 server: listeners on every event loop, one child task per connection.
///
/// Structure: ``run()`` owns a task group with one accept loop per (loop, listener);
/// each accept loop owns a discarding task group whose children are its connections,
/// all running on that loop. Graceful shutdown stops accepting, closes idle keep-alive
/// connections, lets in-flight requests finish within the grace period, then cancels
/// whatever is left.
public final class HTTPServer: Service, Sendable {
    private let group: EventLoopGroup
    private let listeners: [ListeningSocket]
    private let sharedListeners: Bool
    private let context: HTTPServerContext
    private let perLoop: [LoopConnections]
    /// Live counters (connections, requests, rejections).
    public let stats: HTTPServerStats

    /// Binds the listeners now, so that a port in use fails start-up at once; serving
    /// starts in ``run()``. Every request is answered by `responder` (a ``Router``, or a
    /// middleware chain around one).
    public init(
        configuration: HTTPServerConfiguration, responder: some HTTPResponder, group: EventLoopGroup,
        logger: Logger, stats: HTTPServerStats? = nil
    ) throws {
        self.group = group
        let stats = stats ?? HTTPServerStats(loopCount: group.loops.count)
        self.stats = stats
        self.context = HTTPServerContext(
            responder: responder, configuration: configuration, stats: stats, logger: logger, drainStarted: DrainFlag()
        )
        self.perLoop = group.loops.map { LoopConnections(loop: $0) }
        if !configuration.inheritedListeners.isEmpty {
            listeners = try configuration.inheritedListeners.map { try ListeningSocket(adopting: $0) }
            sharedListeners = true
        } else {
            listeners = try Self.bind(configuration, loopCount: group.loops.count)
            sharedListeners = false
        }
        raiseFileLimit()
    }

    /// One `SO_REUSEPORT` socket per loop and resolved address; with port 0, the first
    /// socket picks the port and the others bind the same one.
    private static func bind(_ configuration: HTTPServerConfiguration, loopCount: Int) throws -> [ListeningSocket] {
        var listeners: [ListeningSocket] = []
        do {
            for address in try SocketAddress.resolve(host: configuration.host, port: configuration.port) {
                var address = address
                for _ in 0..<loopCount {
                    let listener = try ListeningSocket(bindingTo: address, backlog: configuration.backlog, reusePort: true)
                    listeners.append(listener)
                    if configuration.port == 0, let bound = listener.localAddress {
                        address = bound
                    }
                }
            }
        } catch {
            for listener in listeners { listener.close() }
            throw error
        }
        return listeners
    }

    /// The addresses the server listens on.
    public var localAddresses: [SocketAddress] {
        var seen: [SocketAddress] = []
        for listener in listeners {
            if let address = listener.localAddress, !seen.contains(address) { seen.append(address) }
        }
        return seen
    }

    /// Serves until graceful shutdown (or cancellation), then drains.
    public func run() async throws {
        let grace = context.configuration.shutdownGrace
        try await withThrowingTaskGroup(of: Void.self) { outer in
            outer.addTask { await self.serveAll() }
            try? await gracefulShutdown()
            self.beginDrain()
            outer.addTask { try? await Task.sleep(for: grace) }
            _ = try await outer.next()
            if self.stats.openConnections.load(ordering: .relaxed) > 0 {
                self.context.logger.warning(
                    "shutdown grace period over; cancelling remaining requests",
                    metadata: [
                        "open_connections": "\(self.stats.openConnections.load(ordering: .relaxed))"
                    ])
            }
            outer.cancelAll()
        }
        for listener in listeners { listener.close() }
    }

    private func serveAll() async {
        await withDiscardingTaskGroup { acceptLoops in
            for (index, loop) in group.loops.enumerated() {
                let mine =
                    sharedListeners
                    ? listeners
                    : listeners.enumerated().filter { $0.offset % group.loops.count == index }.map(\.element)
                for listener in mine {
                    acceptLoops.addTask(executorPreference: loop) {
                        await self.acceptLoop(listener: listener, connections: self.perLoop[index])
                    }
                }
            }
        }
    }

    /// Stops accepting and ends keep-alive on every loop, then closes the listeners, so
    /// new connections are refused at once rather than left in a backlog nobody accepts
    /// (connections already queued there are accepted and served first). Safe from any
    /// thread.
    public func beginDrain() {
        guard context.drainStarted.set() else { return }
        context.logger.info("draining", metadata: ["open_connections": "\(stats.openConnections.load(ordering: .relaxed))"])
        let listenersClose = ListenersClose(listeners: listeners, loopCount: perLoop.count)
        for connections in perLoop {
            connections.loop.execute {
                connections.drain()
                listenersClose.loopStoppedAccepting()
            }
        }
    }

    private func acceptLoop(listener: ListeningSocket, connections: LoopConnections) async {
        let loop = connections.loop
        // A drain that reached this loop first may have closed the listener already.
        guard !connections.draining else { return }
        let acceptor: Acceptor
        do {
            acceptor = try Acceptor(listener: listener, on: loop, shared: sharedListeners)
        } catch {
            context.logger.error("cannot watch listener", metadata: ["error": "\(error)"])
            return
        }
        connections.add(acceptor)
        let maxConnections = context.configuration.maxConnections
        await withDiscardingTaskGroup { children in
            var pausedForLimit = false
            while !connections.draining {
                if stats.openConnections.load(ordering: .relaxed) >= maxConnections {
                    // Beyond the limit new clients wait in the kernel's backlog.
                    if !pausedForLimit {
                        pausedForLimit = true
                        stats.recordRejection(.tooManyConnections)
                        context.logger.warning("connection limit reached; accepting paused", metadata: ["limit": "\(maxConnections)"])
                    }
                    try? await loop.sleep(until: .after(.milliseconds(10)))
                    continue
                }
                pausedForLimit = false
                let accepted: AcceptedConnection
                do {
                    accepted = try await acceptor.accept()
                } catch SocketWaitError.interrupted {
                    break
                } catch is CancellationError {
                    break
                } catch let error as IOError where [EMFILE, ENFILE, ENOBUFS, ENOMEM].contains(error.errno) {
                    stats.recordRejection(.acceptResourceExhausted)
                    context.logger.warning("accept failed; pausing", metadata: ["error": "\(error)"])
                    try? await loop.sleep(until: .after(.milliseconds(100)))
                    continue
                } catch {
                    context.logger.error("accept failed", metadata: ["error": "\(error)"])
                    try? await loop.sleep(until: .after(.milliseconds(100)))
                    continue
                }
                guard admit(accepted, limit: maxConnections) else { continue }
                spawn(accepted, in: &children, connections: connections)
            }
            // Handshakes completed before the drain: served (their requests answered with
            // `Connection: close`), not reset with the listener.
            for accepted in connections.takeBacklog() {
                stats.openConnections.add(1, ordering: .relaxed)
                spawn(accepted, in: &children, connections: connections)
            }
        }
    }

    /// Counts `accepted` as open, or sheds it when that would pass `limit`: loops accept in
    /// parallel, and of two that both saw room for the last slot, the one that went past
    /// the limit closes its connection at once.
    private func admit(_ accepted: AcceptedConnection, limit: Int) -> Bool {
        guard !stats.openConnections.reserve(1, limit: limit) else { return true }
        stats.recordRejection(.tooManyConnections)
        _ = Glibc.close(accepted.fd)
        return false
    }

    /// Serves a connection already counted in `openConnections`, as a child task on its loop.
    private func spawn(_ accepted: AcceptedConnection, in children: inout DiscardingTaskGroup, connections: LoopConnections) {
        children.addTask(executorPreference: connections.loop) {
            await self.serve(accepted, connections: connections)
            self.stats.openConnections.subtract(1, ordering: .relaxed)
        }
    }

    private func serve(_ accepted: AcceptedConnection, connections: LoopConnections) async {
        let socket: Socket
        do {
            socket = try Socket(adopting: accepted.fd, on: connections.loop)
        } catch {
            context.logger.warning("cannot register connection", metadata: ["error": "\(error)"])
            return
        }
        let connection = HTTPConnection(
            socket: socket, remote: accepted.peer?.description ?? "unknown", context: context,
            loopStats: stats.perLoop[connections.loop.index % stats.perLoop.count], readBuffers: connections.readBuffers
        )
        connections.add(connection)
        await connection.run()
        connections.remove(connection)
    }

    /// Lets the process open as many fds as its hard limit allows (connections + files).
    private func raiseFileLimit() {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < limit.rlim_max else { return }
        limit.rlim_cur = limit.rlim_max
        _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    }
}

/// Closes a server's listeners once every loop has stopped accepting from them (a shared
/// listener is in every loop's epoll set; closing it earlier could hand its fd number to
/// a new socket that a loop then removes).
private final class ListenersClose: Sendable {
    private let listeners: [ListeningSocket]
    private let loopsAccepting: Atomic<Int>

    init(listeners: [ListeningSocket], loopCount: Int) {
        self.listeners = listeners
        self.loopsAccepting = Atomic(loopCount)
    }

    /// Called by each loop once it stopped accepting; the last one closes the listeners.
    func loopStoppedAccepting() {
        guard loopsAccepting.subtract(1, ordering: .acquiringAndReleasing).newValue == 0 else { return }
        for listener in listeners { listener.close() }
    }
}
