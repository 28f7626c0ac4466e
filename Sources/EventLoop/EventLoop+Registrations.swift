import CLinuxShim
import Glibc

extension EventLoop {
    /// Adds `fd` to this loop's epoll set, edge-triggered for reading.
    func register(fd: Int32, exclusive: Bool = false) throws(IOError) -> Registration {
        assertInEventLoop()
        nextGeneration = nextGeneration == UInt32.max ? 1 : nextGeneration + 1
        var interest = BARKD_EPOLLIN | BARKD_EPOLLRDHUP | BARKD_EPOLLET
        if exclusive { interest = BARKD_EPOLLIN | BARKD_EPOLLET | BARKD_EPOLLEXCLUSIVE }
        let registration = Registration(loop: self, fd: fd, generation: nextGeneration, interest: interest)
        guard barkd_epoll_ctl(epollFD, BARKD_EPOLL_CTL_ADD, fd, interest, Self.eventData(fd: fd, generation: nextGeneration)) == 0 else {
            throw .current("epoll_ctl(ADD)")
        }
        let slot = Int(fd)
        if slot >= registrations.count {
            registrations.append(contentsOf: repeatElement(nil, count: max(slot + 1 - registrations.count, registrations.count)))
        }
        registrations[slot] = registration
        return registration
    }

    func registration(fd: Int32, generation: UInt32) -> Registration? {
        let slot = Int(fd)
        guard slot >= 0, slot < registrations.count, let registration = registrations[slot],
            registration.generation == generation
        else { return nil }
        return registration
    }

    /// Removes `registration`, wakes its waiters with ``SocketWaitError/interrupted`` and,
    /// when `closeFD`, closes the fd (which also leaves the epoll set); otherwise the fd
    /// is removed from the set explicitly (it may stay registered with other loops).
    func deregister(_ registration: Registration, closeFD: Bool) {
        assertInEventLoop()
        guard !registration.isClosed else { return }
        let slot = Int(registration.fd)
        if slot < registrations.count, registrations[slot] === registration {
            registrations[slot] = nil
        }
        registration.markClosed()
        if closeFD {
            Glibc.close(registration.fd)
        } else {
            _ = barkd_epoll_ctl(epollFD, BARKD_EPOLL_CTL_DEL, registration.fd, 0, 0)
        }
    }

    /// Suspends until `registration` is readable (or writable), `deadline` passes
    /// (``SocketWaitError/timedOut``), it is closed or interrupted, or the task is cancelled.
    func waitUntilReady(_ registration: Registration, forWriting: Bool, deadline: UInt64) async throws {
        assertInEventLoop()
        if registration.isClosed { throw SocketWaitError.interrupted }
        let id = nextWaiterID
        nextWaiterID &+= 1
        if registration.ownerHandlesCancellation {
            try await suspend(registration, forWriting: forWriting, deadline: deadline, id: id)
            return
        }
        let fd = registration.fd
        let generation = registration.generation
        try await withTaskCancellationHandler {
            try await suspend(registration, forWriting: forWriting, deadline: deadline, id: id)
        } onCancel: {
            self.execute {
                self.registration(fd: fd, generation: generation)?.interrupt(waiterID: id, with: CancellationError())
            }
        }
    }

    private func suspend(_ registration: Registration, forWriting: Bool, deadline: UInt64, id: UInt64) async throws {
        let fd = registration.fd
        // Unsafe (unchecked) continuation: the registration holds each waiter in one
        // slot and clears it before resuming, so it resumes exactly once; the checked
        // variant would allocate per wait on the hot path.
        try await withUnsafeThrowingContinuation { (continuation: UnsafeContinuation<Void, any Error>) in
            // A cancellation that came before this point already ran its handler, and
            // that handler's hop to the loop may have run before us: check here.
            if Task.isCancelled {
                continuation.resume(throwing: CancellationError())
                return
            }
            let waiter = Registration.Waiter(id: id, deadline: deadline, continuation: continuation)
            if forWriting {
                precondition(registration.writeWaiter == nil, "two tasks wait to write on fd \(fd)")
                registration.writeWaiter = waiter
                registration.setWriteInterest(true)
            } else {
                precondition(registration.readWaiter == nil, "two tasks wait to read on fd \(fd)")
                registration.readWaiter = waiter
            }
            if deadline != .max { registration.updateTimer() }
        }
    }

    /// Runs `body` with one cancellation handler that interrupts every wait on
    /// `registration` (instead of one handler per wait). Call on the loop.
    func withCancellationOfAllWaits<T>(on registration: Registration, _ body: () async throws -> T) async rethrows -> T {
        assertInEventLoop()
        let fd = registration.fd
        let generation = registration.generation
        registration.ownerHandlesCancellation = true
        defer { registration.ownerHandlesCancellation = false }
        return try await withTaskCancellationHandler {
            try await body()
        } onCancel: {
            self.execute {
                self.registration(fd: fd, generation: generation)?.interruptAll(with: CancellationError())
            }
        }
    }

    /// Wakes the pending reader of `fd` with ``SocketWaitError/interrupted`` (used to end
    /// idle keep-alive connections when draining). Call on the loop.
    func interruptReader(_ registration: Registration) {
        assertInEventLoop()
        if let waiter = registration.readWaiter {
            registration.interrupt(waiterID: waiter.id, with: SocketWaitError.interrupted)
        }
    }

    func closeAllRegistrations() {
        for case let registration? in registrations {
            registration.markClosed()
        }
        registrations.removeAll()
    }
}
