import CLinuxShim
import Glibc

/// A connected, non-blocking stream socket registered with one event loop.
///
/// Every call must run on that loop's thread: connection tasks are created with the loop
/// as their executor preference, so their code is already there. The synchronous
/// `try…` calls make one system call; the `wait…` calls suspend the task until epoll
/// reports readiness. Not `Sendable`: a socket belongs to the one task that serves it.
public final class Socket {
    /// The loop that owns this socket's registration.
    public let loop: EventLoop
    let registration: Registration

    /// The file descriptor (valid until ``close()``).
    public var fd: Int32 { registration.fd }
    /// True once ``close()`` ran.
    public var isClosed: Bool { registration.isClosed }

    /// Takes ownership of a connected non-blocking `fd` and registers it with `loop`.
    /// Call on `loop`'s thread.
    public init(adopting fd: Int32, on loop: EventLoop) throws(IOError) {
        self.loop = loop
        do {
            self.registration = try loop.register(fd: fd)
        } catch {
            Glibc.close(fd)
            throw error
        }
    }

    deinit {
        if !registration.isClosed { loop.deregister(registration, closeFD: true) }
    }

    /// The outcome of one non-blocking read.
    public enum ReadResult: Equatable, Sendable {
        case bytes(Int)
        case wouldBlock
        case endOfFile
    }

    /// Reads once into `buffer` without blocking.
    public func tryRead(into buffer: UnsafeMutableRawBufferPointer) throws(IOError) -> ReadResult {
        while true {
            let count = Glibc.read(fd, buffer.baseAddress, buffer.count)
            if count > 0 {
                // A short read on a stream socket drained it: wait for the next edge —
                // unless the peer already closed, when only end of file is left to read.
                if count < buffer.count && !registration.readHangup { registration.readReady = false }
                return .bytes(count)
            }
            if count == 0 { return .endOfFile }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK:
                registration.readReady = false
                return .wouldBlock
            default: throw .current("read")
            }
        }
    }

    /// Suspends until the socket may be readable, or throws ``SocketWaitError/timedOut``
    /// at `deadline`, or ``SocketWaitError/interrupted`` when closed or interrupted.
    public func waitForReadable(deadline: Deadline = .distantFuture) async throws {
        if registration.readReady { return }
        try await loop.waitUntilReady(registration, forWriting: false, deadline: deadline.nanoseconds)
    }

    /// Reads at least one byte into `buffer`, waiting as needed; returns 0 at end of file.
    public func read(into buffer: UnsafeMutableRawBufferPointer, deadline: Deadline = .distantFuture) async throws -> Int {
        while true {
            try await waitForReadable(deadline: deadline)
            switch try tryRead(into: buffer) {
            case .bytes(let count): return count
            case .endOfFile: return 0
            case .wouldBlock: continue
            }
        }
    }

    /// Writes as much of `bytes` as the kernel takes now; returns the count written
    /// (0 when the send buffer is full).
    public func tryWrite(_ bytes: UnsafeRawBufferPointer) throws(IOError) -> Int {
        guard bytes.count > 0 else { return 0 }
        while true {
            let count = barkd_send(fd, bytes.baseAddress, bytes.count)
            if count >= 0 { return count }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: return 0
            default: throw .current("send")
            }
        }
    }

    /// Writes two buffers with one `writev`-style call when possible; returns the count written.
    public func tryWrite(_ first: UnsafeRawBufferPointer, _ second: UnsafeRawBufferPointer) throws(IOError) -> Int {
        if second.isEmpty { return try tryWrite(first) }
        if first.isEmpty { return try tryWrite(second) }
        var vectors = (
            iovec(iov_base: UnsafeMutableRawPointer(mutating: first.baseAddress), iov_len: first.count),
            iovec(iov_base: UnsafeMutableRawPointer(mutating: second.baseAddress), iov_len: second.count)
        )
        while true {
            let count = withUnsafePointer(to: &vectors) { pointer in
                pointer.withMemoryRebound(to: iovec.self, capacity: 2) { barkd_writev(fd, $0, 2) }
            }
            if count >= 0 { return count }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: return 0
            default: throw .current("sendmsg")
            }
        }
    }

    /// Suspends until the socket may be writable (EPOLLOUT is watched only meanwhile).
    public func waitForWritable(deadline: Deadline = .distantFuture) async throws {
        defer { registration.setWriteInterest(false) }
        try await loop.waitUntilReady(registration, forWriting: true, deadline: deadline.nanoseconds)
    }

    /// Writes all of `head` then all of `body`, batched into `writev` calls, waiting for
    /// the peer to read as needed (partial writes are resumed where they stopped).
    public func write(_ head: [UInt8], _ body: [UInt8] = [], deadline: Deadline = .distantFuture) async throws {
        var headOffset = 0
        var bodyOffset = 0
        while headOffset < head.count || bodyOffset < body.count {
            let written = try head.withUnsafeBytes { headBytes in
                try body.withUnsafeBytes { bodyBytes in
                    try tryWrite(
                        UnsafeRawBufferPointer(rebasing: headBytes[headOffset...]),
                        UnsafeRawBufferPointer(rebasing: bodyBytes[bodyOffset...])
                    )
                }
            }
            let fromHead = min(written, head.count - headOffset)
            headOffset += fromHead
            bodyOffset += written - fromHead
            if headOffset < head.count || bodyOffset < body.count {
                if written == 0 { try await waitForWritable(deadline: deadline) }
            }
        }
    }

    /// Shuts down the sending side (the peer reads end of file) and keeps the socket open.
    public func shutdownWrite() {
        _ = Glibc.shutdown(fd, Int32(SHUT_WR))
    }

    /// Runs `body`, in which every wait on this socket ends with `CancellationError` when
    /// the task is cancelled. One cancellation handler serves all of `body`'s waits, which
    /// saves installing one per wait on a connection's hot path.
    public func withCancellationOfAllWaits<T>(_ body: () async throws -> T) async rethrows -> T {
        try await loop.withCancellationOfAllWaits(on: registration, body)
    }

    /// Wakes a task waiting to read with ``SocketWaitError/interrupted``. Call on the loop.
    public func interruptReader() {
        loop.interruptReader(registration)
    }

    /// True while a task waits in ``waitForReadable(deadline:)``.
    public var hasWaitingReader: Bool { registration.readWaiter != nil }

    /// Closes the socket; a waiting task is woken with ``SocketWaitError/interrupted``.
    public func close() {
        loop.deregister(registration, closeFD: true)
    }
}
