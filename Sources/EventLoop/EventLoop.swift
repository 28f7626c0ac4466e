import CLinuxShim
import DequeModule
import Glibc
import Synchronization

/// One epoll reactor on its own OS thread.
///
/// The loop runs three kinds of work in each turn: jobs of Swift tasks that prefer it as
/// their `TaskExecutor` (connection tasks run here, so accept, parse, handle and write
/// need no thread hop), closures submitted with ``execute(_:)``, and I/O readiness and
/// timer expiry reported by `epoll_wait`. Other threads wake it through an eventfd, and
/// only when it may be asleep.
///
/// Thread safety: `@unchecked Sendable` because the only state touched from other
/// threads is `inbox` (a `Mutex`) and atomics; every other stored property is confined
/// to the loop thread, which `assertInEventLoop()` checks in debug builds.
public final class EventLoop: @unchecked Sendable {
    /// The loop's position in its group (0-based).
    public let index: Int
    let epollFD: Int32
    let wakeFD: Int32
    let timerFD: Int32

    private let inbox = Mutex(Inbox())
    private let running = Atomic<Bool>(false)
    /// Monotonic nanoseconds at which the loop last finished a turn (see ``isStuck(threshold:at:)``).
    let lastTurnNanoseconds = Atomic<UInt64>(0)
    /// How late the loop's heartbeat timer fired, last time, in nanoseconds (see ``lag``).
    let lagNanoseconds = Atomic<UInt64>(0)

    // Loop-confined state.
    var turnStartNanoseconds = barkd_monotonic_ns()
    /// The time of a ``LoopClock/manual`` clock; nil for the monotonic clock.
    var manualClockNanoseconds: UInt64?
    var localWork = Deque<Work>()
    var registrations: [Registration?] = []
    var nextGeneration: UInt32 = 1
    var nextWaiterID: UInt64 = 1
    var timerHeap = TimerHeap()
    var armedTimerDeadline: UInt64 = 0
    var sleepers: [UInt64: (LoopTimer, CheckedContinuation<Void, any Error>)] = [:]
    let sleeperIDs = Atomic<UInt64>(0)
    private var thread: pthread_t?
    private var heartbeat: LoopTimer?

    static let maxEventsPerWait = 256
    static let maxJobsPerTurn = 4096

    struct Inbox {
        var work = Deque<InboxWork>()
        var sleeping = false
        var wakePending = false
        var stopRequested = false
    }

    enum InboxWork {
        case job(UnownedJob)
        case closure(@Sendable () -> Void)
    }

    enum Work {
        case job(UnownedJob)
        case closure(() -> Void)
    }

    /// Creates the loop's epoll, eventfd and timerfd; ``start()`` starts its thread.
    /// `clock` is where its timers and deadlines read the time (see ``LoopClock``).
    public init(index: Int, clock: LoopClock = .monotonic) throws(IOError) {
        self.index = index
        let epollFD = barkd_epoll_create()
        guard epollFD >= 0 else { throw .current("epoll_create1") }
        let wakeFD = barkd_eventfd()
        guard wakeFD >= 0 else { close(epollFD); throw .current("eventfd") }
        let timerFD = barkd_timerfd_create()
        guard timerFD >= 0 else { close(epollFD); close(wakeFD); throw .current("timerfd_create") }
        self.epollFD = epollFD
        self.wakeFD = wakeFD
        self.timerFD = timerFD
        // The reactor's own fds use generation 0, which no socket registration gets.
        guard barkd_epoll_ctl(epollFD, BARKD_EPOLL_CTL_ADD, wakeFD, BARKD_EPOLLIN, Self.eventData(fd: wakeFD, generation: 0)) == 0,
            barkd_epoll_ctl(epollFD, BARKD_EPOLL_CTL_ADD, timerFD, BARKD_EPOLLIN, Self.eventData(fd: timerFD, generation: 0)) == 0
        else {
            let error = IOError.current("epoll_ctl")
            close(epollFD); close(wakeFD); close(timerFD)
            throw error
        }
        if clock == .manual { manualClockNanoseconds = turnStartNanoseconds }
    }

    deinit {
        close(epollFD)
        close(wakeFD)
        close(timerFD)
    }

    /// Starts the loop's thread.
    public func start() {
        precondition(!running.exchange(true, ordering: .acquiringAndReleasing), "loop already started")
        lastTurnNanoseconds.store(barkd_monotonic_ns(), ordering: .relaxed)
        thread = OSThread.start(name: "barkd-loop-\(index)") { [self] in self.runLoop() }
    }

    /// Asks the loop to finish its current turn and exit; ``join()`` waits for that.
    public func stop() {
        let wake = inbox.withLock { inbox -> Bool in
            inbox.stopRequested = true
            return Self.needsWake(&inbox)
        }
        if wake { _ = barkd_eventfd_write(wakeFD) }
    }

    /// Waits for the loop's thread to exit (after ``stop()``).
    public func join() {
        if let thread { OSThread.join(thread) }
    }

    /// True when called on this loop's thread.
    @inline(__always)
    public var inEventLoop: Bool {
        barkd_current_loop() == Unmanaged.passUnretained(self).toOpaque()
    }

    /// Traps in debug builds when not called on the loop's thread.
    @inline(__always)
    public func assertInEventLoop(file: StaticString = #fileID, line: UInt = #line) {
        assert(inEventLoop, "not on event loop \(index)", file: file, line: line)
    }

    /// The monotonic time at which the current turn started: one clock read per turn
    /// serves every deadline computed in it (good to well under a millisecond). Call on
    /// the loop thread.
    @inline(__always)
    public var now: Deadline {
        assertInEventLoop()
        return Deadline(nanoseconds: turnStartNanoseconds)
    }

    /// Runs `body` on the loop thread, soon. Safe from any thread.
    public func execute(_ body: @escaping @Sendable () -> Void) {
        if inEventLoop {
            localWork.append(.closure(body))
        } else {
            submit(.closure(body))
        }
    }

    /// Runs `body` on the loop thread and returns its result to the caller.
    func submit<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            execute {
                do { continuation.resume(returning: try body()) } catch { continuation.resume(throwing: error) }
            }
        }
    }

    func enqueueJob(_ job: UnownedJob) {
        if inEventLoop {
            localWork.append(.job(job))
        } else {
            submit(.job(job))
        }
    }

    private func submit(_ work: InboxWork) {
        let wake = inbox.withLock { inbox -> Bool in
            inbox.work.append(work)
            return Self.needsWake(&inbox)
        }
        if wake { _ = barkd_eventfd_write(wakeFD) }
    }

    /// Decides, under the inbox lock, whether the enqueuer must write the eventfd: only
    /// when the loop may be asleep in `epoll_wait` and nobody has woken it yet.
    private static func needsWake(_ inbox: inout Inbox) -> Bool {
        guard inbox.sleeping, !inbox.wakePending else { return false }
        inbox.wakePending = true
        return true
    }

    static func eventData(fd: Int32, generation: UInt32) -> UInt64 {
        UInt64(generation) << 32 | UInt64(UInt32(bitPattern: fd))
    }

    /// How often an idle loop wakes to prove it still turns (`/livez`, the watchdog).
    public static let heartbeatInterval: Duration = .milliseconds(250)

    /// A repeating timer that makes the loop turn at least every ``heartbeatInterval``
    /// and records how late it fired (event-loop lag).
    private func startHeartbeat() {
        let interval = Self.heartbeatInterval.nanosecondsClamped
        var due = clockNanoseconds() + interval
        let timer = LoopTimer(action: nil)
        timer.action = { [unowned self, unowned timer] in
            let now = self.clockNanoseconds()
            self.lagNanoseconds.store(now > due ? now - due : 0, ordering: .relaxed)
            due = now + interval
            self.arm(timer, at: due)
        }
        arm(timer, at: due)
        heartbeat = timer
    }

    // MARK: - The loop

    private func runLoop() {
        barkd_set_current_loop(Unmanaged.passUnretained(self).toOpaque())
        let events = UnsafeMutablePointer<barkd_epoll_event>.allocate(capacity: Self.maxEventsPerWait)
        defer {
            events.deallocate()
            barkd_set_current_loop(nil)
        }
        startHeartbeat()
        while true {
            runLocalWork()
            var stop = false
            let hasWork: Bool =
                !localWork.isEmpty
                || inbox.withLock { inbox in
                    if !inbox.work.isEmpty { return true }
                    if inbox.stopRequested { stop = true; return false }
                    inbox.sleeping = true
                    return false
                }
            if stop { break }
            let count = barkd_epoll_wait(epollFD, events, Int32(Self.maxEventsPerWait), hasWork ? 0 : -1)
            if !hasWork {
                inbox.withLock { inbox in
                    inbox.sleeping = false
                    inbox.wakePending = false
                }
            }
            if count > 0 {
                for i in 0..<Int(count) {
                    handleEvent(events[i].events, data: events[i].data)
                }
            }
            takeInbox()
            let monotonic = barkd_monotonic_ns()
            turnStartNanoseconds = manualClockNanoseconds ?? monotonic
            lastTurnNanoseconds.store(monotonic, ordering: .relaxed)
        }
        closeAllRegistrations()
    }

    private func takeInbox() {
        let taken = inbox.withLock { inbox -> Deque<InboxWork> in
            if inbox.work.isEmpty { return [] }
            var taken = Deque<InboxWork>()
            swap(&taken, &inbox.work)
            return taken
        }
        for work in taken {
            switch work {
            case .job(let job): localWork.append(.job(job))
            case .closure(let body): localWork.append(.closure(body))
            }
        }
    }

    private func runLocalWork() {
        takeInbox()
        var budget = Self.maxJobsPerTurn
        let taskExecutor = asUnownedTaskExecutor()
        while budget > 0, let work = localWork.popFirst() {
            budget -= 1
            switch work {
            case .job(let job):
                job.runSynchronously(on: taskExecutor)
            case .closure(let body):
                body()
            }
        }
    }

    private func handleEvent(_ flags: UInt32, data: UInt64) {
        let fd = Int32(bitPattern: UInt32(truncatingIfNeeded: data))
        let generation = UInt32(truncatingIfNeeded: data >> 32)
        if generation == 0 {
            if fd == wakeFD {
                _ = barkd_eventfd_drain(wakeFD)
            } else if fd == timerFD {
                _ = barkd_timerfd_drain(timerFD)
                armedTimerDeadline = 0
                fireExpiredTimers()
            }
            return
        }
        guard let registration = registration(fd: fd, generation: generation) else {
            return  // the fd was closed (and maybe reused) since the event was queued
        }
        registration.handle(events: flags)
    }
}
