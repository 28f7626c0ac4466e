import Foundation
import Glibc
import Synchronization

@testable import Persistence

/// A TCP relay on 127.0.0.1 in front of a MariaDB server that can lose a COMMIT's reply:
/// once armed, it forwards the next `COMMIT` (a `COM_QUERY` packet) to the server, waits
/// for the server's answer — so the server has committed — and then cuts both connections
/// instead of passing the answer on. The client sees a lost connection whose outcome it
/// cannot know. Blocking sockets on the relay's own threads (a test tool, no event loop).
final class CommitCuttingRelay: Sendable {
    let port: Int
    private let listener: Int32
    private let upstreamPort: Int
    private let armed = Atomic<Bool>(false)
    private let cutCount = Atomic<Int>(0)
    private let open = Mutex<[Int32]>([])

    /// How many replies were cut so far.
    var cuts: Int { cutCount.load(ordering: .acquiring) }

    init(upstreamPort: Int) throws {
        self.upstreamPort = upstreamPort
        let listener = try SilentListener()
        self.listener = listener.fd
        self.port = listener.port
        Thread.detachNewThread { [self] in acceptLoop() }
    }

    /// Cuts the connection after the server answered the next COMMIT.
    func armCutAfterNextCommit() {
        armed.store(true, ordering: .releasing)
    }

    /// Stops accepting and cuts every relayed connection.
    func close() {
        shutdown(listener, Int32(SHUT_RDWR))
        for fd in open.withLock({ $0 }) {
            shutdown(fd, Int32(SHUT_RDWR))
        }
    }

    private func acceptLoop() {
        defer { Glibc.close(listener) }
        while true {
            let client = accept(listener, nil, nil)
            guard client >= 0 else { return }
            guard let server = Self.connectLoopback(port: upstreamPort) else {
                Glibc.close(client)
                continue
            }
            open.withLock { $0 += [client, server] }
            let pair = RelayedPair(client: client, server: server)
            Thread.detachNewThread { [self] in clientToServer(pair) }
            Thread.detachNewThread { [self] in serverToClient(pair) }
        }
    }

    /// Forwards whole packets (3-byte length, sequence id, payload), watching for COMMIT.
    private func clientToServer(_ pair: RelayedPair) {
        defer { finish(pair) }
        let commit: [UInt8] = [0x03] + Array("COMMIT".utf8)
        var pending: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = read(pair.client, &buffer, buffer.count)
            guard count > 0 else { return }
            pending += buffer[0..<count]
            while pending.count >= 4 {
                let length = Int(pending[0]) | Int(pending[1]) << 8 | Int(pending[2]) << 16
                guard pending.count >= 4 + length else { break }
                let packet = Array(pending[0..<4 + length])
                pending.removeFirst(4 + length)
                if Array(packet[4...]) == commit, armed.exchange(false, ordering: .acquiringAndReleasing) {
                    pair.cutNextReply.store(true, ordering: .releasing)
                }
                guard Self.writeAll(pair.server, packet) else { return }
            }
        }
    }

    /// Forwards the server's bytes, except the reply to an armed COMMIT: the client sends
    /// nothing after COMMIT until it is answered, so the next bytes read are that reply.
    private func serverToClient(_ pair: RelayedPair) {
        defer { finish(pair) }
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = read(pair.server, &buffer, buffer.count)
            guard count > 0 else { return }
            if pair.cutNextReply.load(ordering: .acquiring) {
                cutCount.add(1, ordering: .releasing)
                return
            }
            guard Self.writeAll(pair.client, Array(buffer[0..<count])) else { return }
        }
    }

    /// Ends one direction; the second closes both sockets (under the lock, so `close()`
    /// never shuts down a descriptor number that was reused).
    private func finish(_ pair: RelayedPair) {
        shutdown(pair.client, Int32(SHUT_RDWR))
        shutdown(pair.server, Int32(SHUT_RDWR))
        guard pair.finished.add(1, ordering: .acquiringAndReleasing).newValue == 2 else { return }
        open.withLock { open in
            open.removeAll { $0 == pair.client || $0 == pair.server }
            Glibc.close(pair.client)
            Glibc.close(pair.server)
        }
    }

    private static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard written > 0 else { return false }
            offset += written
        }
        return true
    }

    private static func connectLoopback(port: Int) -> Int32? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            Glibc.close(fd)
            return nil
        }
        return fd
    }
}

/// One relayed connection (two sockets, one thread per direction).
private final class RelayedPair: Sendable {
    let client: Int32
    let server: Int32
    let cutNextReply = Atomic<Bool>(false)
    /// Directions that ended (at 2 the sockets are closed).
    let finished = Atomic<Int>(0)

    init(client: Int32, server: Int32) {
        self.client = client
        self.server = server
    }
}
