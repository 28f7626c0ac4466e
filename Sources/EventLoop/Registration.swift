import CLinuxShim
import Glibc

/// One fd's membership in a loop's epoll set, with the tasks waiting on it.
///
/// The epoll data word carries the fd and this registration's generation, so an event
/// queued for an fd that was closed (and whose number was reused) in the same turn is
/// dropped instead of waking the new owner. Edge-triggered: `readReady` remembers an
/// edge that arrived while nobody waited (writability is watched only while a write
/// waits, and adding EPOLLOUT reports a socket that is already writable). Loop-confined.
final class Registration {
    unowned let loop: EventLoop
    let fd: Int32
    let generation: UInt32
    private(set) var interest: UInt32
    var readReady = true
    /// The peer closed its side (or the socket failed): reads must go on to end of file,
    /// since no further edge will come.
    var readHangup = false
    var readWaiter: Waiter?
    var writeWaiter: Waiter?
    private var timer: LoopTimer?
    private(set) var isClosed = false
    /// True while the socket's owner installed one cancellation handler for all its
    /// waits (``Socket/withCancellationOfAllWaits(_:)``), so each wait need not.
    var ownerHandlesCancellation = false

    struct Waiter {
        let id: UInt64
        let deadline: UInt64
        let continuation: UnsafeContinuation<Void, any Error>
    }

    init(loop: EventLoop, fd: Int32, generation: UInt32, interest: UInt32) {
        self.loop = loop
        self.fd = fd
        self.generation = generation
        self.interest = interest
    }

    func handle(events: UInt32) {
        if events & (BARKD_EPOLLERR | BARKD_EPOLLHUP | BARKD_EPOLLRDHUP) != 0 {
            readHangup = true
        }
        if events & (BARKD_EPOLLIN | BARKD_EPOLLERR | BARKD_EPOLLHUP | BARKD_EPOLLRDHUP) != 0 {
            readReady = true
            if let waiter = readWaiter {
                readWaiter = nil
                waiter.continuation.resume()
            }
        }
        if events & (BARKD_EPOLLOUT | BARKD_EPOLLERR | BARKD_EPOLLHUP) != 0 {
            if let waiter = writeWaiter {
                writeWaiter = nil
                waiter.continuation.resume()
            }
        }
        updateTimer()
    }

    /// Adds or removes EPOLLOUT: barkd listens for writability only while a write waits.
    func setWriteInterest(_ enabled: Bool) {
        let wanted = enabled ? interest | BARKD_EPOLLOUT : interest & ~BARKD_EPOLLOUT
        guard wanted != interest, !isClosed else { return }
        interest = wanted
        _ = barkd_epoll_ctl(loop.epollFD, BARKD_EPOLL_CTL_MOD, fd, wanted, EventLoop.eventData(fd: fd, generation: generation))
    }

    /// Resumes the waiter with `id` (if it still waits) by throwing `error`.
    func interrupt(waiterID id: UInt64, with error: any Error) {
        if let waiter = readWaiter, waiter.id == id {
            readWaiter = nil
            waiter.continuation.resume(throwing: error)
        }
        if let waiter = writeWaiter, waiter.id == id {
            writeWaiter = nil
            waiter.continuation.resume(throwing: error)
        }
        updateTimer()
    }

    /// Resumes every waiter by throwing `error`.
    func interruptAll(with error: any Error) {
        if let waiter = readWaiter {
            readWaiter = nil
            waiter.continuation.resume(throwing: error)
        }
        if let waiter = writeWaiter {
            writeWaiter = nil
            waiter.continuation.resume(throwing: error)
        }
        updateTimer()
    }

    func markClosed() {
        isClosed = true
        interruptAll(with: SocketWaitError.interrupted)
        if let timer {
            timer.action = nil
            loop.cancelTimer(timer)  // out of the heap now, not at its deadline
        }
        timer = nil
    }

    /// Keeps the registration's one timer at the earliest waiter deadline.
    func updateTimer() {
        let earliest = min(readWaiter?.deadline ?? .max, writeWaiter?.deadline ?? .max)
        guard earliest != .max else {
            timer?.deadline = nil
            return
        }
        if let timer {
            loop.arm(timer, at: earliest)
        } else {
            let timer = LoopTimer(action: nil)
            timer.action = { [unowned self] in self.expireWaiters() }
            self.timer = timer
            loop.arm(timer, at: earliest)
        }
    }

    private func expireWaiters() {
        let now = loop.clockNanoseconds()
        if let waiter = readWaiter, waiter.deadline <= now {
            readWaiter = nil
            waiter.continuation.resume(throwing: SocketWaitError.timedOut)
        }
        if let waiter = writeWaiter, waiter.deadline <= now {
            writeWaiter = nil
            waiter.continuation.resume(throwing: SocketWaitError.timedOut)
        }
        updateTimer()
    }
}
