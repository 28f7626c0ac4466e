import CLinuxShim
import Glibc
import Synchronization

/// A bound, listening TCP socket (not yet registered with any loop).
///
/// barkd opens one per event loop with `SO_REUSEPORT`, so the kernel spreads new
/// connections across loops; or it adopts one socket handed over by systemd
/// (`LISTEN_FDS`) and every loop accepts from it (`EPOLLEXCLUSIVE`).
/// Sendable: an immutable fd and an atomic flag that lets exactly one ``close()`` through.
public final class ListeningSocket: Sendable {
    /// The listening file descriptor.
    public let fd: Int32
    private let closed = Atomic<Bool>(false)

    /// Creates a non-blocking listening socket bound to `address`.
    public init(bindingTo address: SocketAddress, backlog: Int32, reusePort: Bool) throws(IOError) {
        let fd = socket(address.family, BARKD_SOCK_STREAM | BARKD_SOCK_NONBLOCK | BARKD_SOCK_CLOEXEC, 0)
        guard fd >= 0 else { throw .current("socket") }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        if reusePort {
            setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, socklen_t(MemoryLayout<Int32>.size))
        }
        if address.family == AF_INET6 {
            var zero: Int32 = 0  // "::" also accepts IPv4 (dual stack)
            setsockopt(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, &zero, socklen_t(MemoryLayout<Int32>.size))
        }
        do throws(IOError) {
            try address.withSockAddr { pointer, length throws(IOError) in
                guard bind(fd, pointer, length) == 0 else { throw .current("bind \(address)") }
            }
            guard listen(fd, backlog) == 0 else { throw .current("listen") }
        } catch {
            Glibc.close(fd)
            throw error
        }
        self.fd = fd
    }

    /// Adopts an already listening socket (socket activation) and makes it non-blocking.
    public init(adopting fd: Int32) throws(IOError) {
        let flags = fcntl(fd, F_GETFL)
        guard flags >= 0, fcntl(fd, F_SETFL, flags | O_NONBLOCK) == 0 else { throw .current("fcntl") }
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        self.fd = fd
    }

    /// The address the socket is bound to (with the real port when bound to port 0).
    public var localAddress: SocketAddress? { SocketAddress.local(of: fd) }

    /// Closes the socket, once (later calls do nothing): new connections are refused
    /// from then on. Call after every loop stopped accepting from it (``Acceptor/stop()``).
    public func close() {
        guard !closed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        Glibc.close(fd)
    }

    /// True once ``close()`` ran.
    public var isClosed: Bool { closed.load(ordering: .acquiring) }
}

/// A connection accepted from a listener: the new fd and the peer's address.
public struct AcceptedConnection: Sendable {
    public var fd: Int32
    public var peer: SocketAddress?
}

/// One loop's registration of a listening socket, with async `accept`. Loop-confined.
public final class Acceptor {
    public let loop: EventLoop
    let registration: Registration

    /// Registers `listener` with `loop` (call on `loop`). `shared` listeners are watched
    /// with `EPOLLEXCLUSIVE`, so one connection wakes one loop.
    public init(listener: ListeningSocket, on loop: EventLoop, shared: Bool) throws(IOError) {
        self.loop = loop
        self.registration = try loop.register(fd: listener.fd, exclusive: shared)
    }

    /// Accepts one connection, waiting for one as needed. Throws `IOError` for accept
    /// failures such as `EMFILE` (the caller pauses and retries) and
    /// ``SocketWaitError/interrupted`` once ``stop()`` ran.
    public func accept() async throws -> AcceptedConnection {
        while true {
            if registration.isClosed { throw SocketWaitError.interrupted }
            if let accepted = try tryAccept() { return accepted }
            registration.readReady = false
            try await loop.waitUntilReady(registration, forWriting: false, deadline: .max)
        }
    }

    /// Accepts, without waiting, the connections the kernel has queued for the listener
    /// now (at most `limit`): what a drain takes in before the listener closes, so that a
    /// client whose handshake completed is answered rather than reset. Stops early at an
    /// accept failure.
    public func acceptQueued(limit: Int) -> [AcceptedConnection] {
        var queued: [AcceptedConnection] = []
        while queued.count < limit, !registration.isClosed, let accepted = try? tryAccept() {
            queued.append(accepted)
        }
        return queued
    }

    /// One non-blocking `accept4`: the connection, or nil when none is queued.
    private func tryAccept() throws(IOError) -> AcceptedConnection? {
        while true {
            var storage = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let fd = withUnsafeMutablePointer(to: &storage) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { barkd_accept4(registration.fd, $0, &length) }
            }
            if fd >= 0 {
                var one: Int32 = 1
                setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
                return AcceptedConnection(fd: fd, peer: SocketAddress(storage: storage, length: length))
            }
            switch errno {
            case EINTR, ECONNABORTED, EPROTO: continue
            case EAGAIN, EWOULDBLOCK: return nil
            default: throw .current("accept4")
            }
        }
    }

    /// Stops accepting on this loop: wakes a waiting `accept` and leaves the epoll set.
    /// The listening fd itself stays open (its owner closes it).
    public func stop() {
        loop.deregister(registration, closeFD: false)
    }
}
