import EventLoop

/// The connections and acceptors living on one event loop, so a drain can reach them.
///
/// `@unchecked Sendable`: shared between tasks only as a reference; every property is
/// read and written on its loop's thread (connections register themselves there, and
/// the server's drain runs there through `loop.execute`).
final class LoopConnections: @unchecked Sendable {
    let loop: EventLoop
    /// Read buffers lent to this loop's connections while they read a request.
    let readBuffers = ReadBufferPool()
    private var connections: [ObjectIdentifier: HTTPConnection] = [:]
    private var acceptors: [Acceptor] = []
    /// Connections the drain took from the listeners' backlogs, for an accept loop to serve.
    private var backlog: [AcceptedConnection] = []
    private(set) var draining = false

    /// The most connections one drain takes from one listener's backlog.
    static let backlogLimit = 4096

    init(loop: EventLoop) {
        self.loop = loop
    }

    func add(_ connection: HTTPConnection) {
        loop.assertInEventLoop()
        connections[ObjectIdentifier(connection)] = connection
        if draining { connection.beginDrain() }
    }

    func remove(_ connection: HTTPConnection) {
        loop.assertInEventLoop()
        connections[ObjectIdentifier(connection)] = nil
    }

    func add(_ acceptor: Acceptor) {
        loop.assertInEventLoop()
        if draining { acceptor.stop() } else { acceptors.append(acceptor) }
    }

    /// Stops accepting and ends keep-alive on this loop. Call on the loop. What the
    /// listeners had queued (handshakes completed before the drain) is accepted first,
    /// for the accept loops to serve (``takeBacklog()``); after this the listeners may
    /// close, refusing new connections.
    func drain() {
        loop.assertInEventLoop()
        draining = true
        for acceptor in acceptors {
            backlog += acceptor.acceptQueued(limit: Self.backlogLimit)
            acceptor.stop()
        }
        acceptors.removeAll()
        for connection in connections.values { connection.beginDrain() }
    }

    /// The connections the drain accepted from the backlogs; each is handed out once.
    func takeBacklog() -> [AcceptedConnection] {
        loop.assertInEventLoop()
        defer { backlog.removeAll() }
        return backlog
    }
}
