import CLinuxShim
import Synchronization

extension EventLoop {
    /// Runs `action` on this loop at `deadline` (timers with equal deadlines run in the
    /// order they were scheduled). Call on the loop thread; keep the returned timer to
    /// cancel or re-arm it.
    @discardableResult
    func scheduleTimer(at deadline: Deadline, _ action: @escaping () -> Void) -> LoopTimer {
        assertInEventLoop()
        let timer = LoopTimer(action: action)
        arm(timer, at: deadline.nanoseconds)
        return timer
    }

    /// Stops `timer` from firing and takes it out of the timer heap. Call on the loop thread.
    func cancelTimer(_ timer: LoopTimer) {
        assertInEventLoop()
        timer.deadline = nil
        timerHeap.remove(timer)
    }

    /// Suspends the calling task until `deadline`, on this loop.
    public func sleep(until deadline: Deadline) async throws {
        let id = nextWaiterIDValue()
        try await withTaskCancellationHandler {
            try await withTaskExecutorPreference(self) {
                try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                    if Task.isCancelled {  // the cancellation handler may have run already
                        continuation.resume(throwing: CancellationError())
                        return
                    }
                    let timer = self.scheduleTimer(at: deadline) { [unowned self] in
                        self.sleepers[id] = nil
                        continuation.resume()
                    }
                    self.sleepers[id] = (timer, continuation)
                }
            }
        } onCancel: {
            self.execute { [self] in
                guard let (timer, continuation) = self.sleepers.removeValue(forKey: id) else { return }
                self.cancelTimer(timer)
                continuation.resume(throwing: CancellationError())
            }
        }
    }

    func nextWaiterIDValue() -> UInt64 {
        // Called on the loop or before any hop; the id only needs to be unique per loop.
        sleeperIDs.add(1, ordering: .relaxed).newValue
    }

    func arm(_ timer: LoopTimer, at deadline: UInt64) {
        timer.deadline = deadline
        if timer.heapIndex != nil {
            if timer.queuedDeadline <= deadline { return }  // it comes due first and re-queues the timer then
            timerHeap.moveEarlier(timer, to: deadline)
        } else {
            timerHeap.insert(timer, at: deadline)
        }
        armTimerFD()
    }

    /// Points the timerfd at the earliest queued entry, when that is earlier than what
    /// it is armed for already (a later-firing timerfd is corrected when it fires). A
    /// manual clock never arms it: its timers run when it is advanced.
    func armTimerFD() {
        guard manualClockNanoseconds == nil, let earliest = timerHeap.min?.queuedDeadline else { return }
        if armedTimerDeadline == 0 || earliest < armedTimerDeadline {
            armedTimerDeadline = earliest
            _ = barkd_timerfd_arm(timerFD, max(earliest, 1))
        }
    }

    func fireExpiredTimers() {
        let now = clockNanoseconds()
        while let timer = timerHeap.min, timer.queuedDeadline <= now {
            timerHeap.removeMin()
            guard let deadline = timer.deadline else { continue }  // cancelled
            if deadline > now {
                arm(timer, at: deadline)
                continue
            }
            timer.deadline = nil
            timer.action?()
        }
        armTimerFD()
    }
}
