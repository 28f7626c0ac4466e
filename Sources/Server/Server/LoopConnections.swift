import EventLoop

/// The connections and acceptors living on one event loop, so a drain can reach them.
///
/// `@unchecked Sendable`: shared between tasks only as a reference; every property is
/// read and written on its loop's thread (connections register themselves there, and
/// the server's drain runs there through `loop.execute`).
final class LoopConnections: @unchecked Sendable {
    let loop: EventLoop
    private var connections: [ObjectIdentifier: HTTPConnection] = [:]
    private var acceptors: [Acceptor] = []
    private(set) var draining = false

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

    /// Stops accepting and ends keep-alive on this loop. Call on the loop.
    func drain() {
        loop.assertInEventLoop()
        draining = true
        for acceptor in acceptors { acceptor.stop() }
        acceptors.removeAll()
        for connection in connections.values { connection.beginDrain() }
    }
}
