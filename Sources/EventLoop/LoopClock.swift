import CLinuxShim

/// Where an event loop reads the time for its timers, socket deadlines and ``EventLoop/now``.
public enum LoopClock: Sendable {
    /// The system's monotonic clock; timers fire through the loop's timerfd.
    case monotonic
    /// A clock that stands still until ``EventLoop/advanceClock(by:)`` moves it, for tests
    /// of timeouts that must not wait for them. It starts at the monotonic time the loop
    /// was made; its timers fire only when it is advanced past them (the heartbeat too, so
    /// an idle loop does not turn by itself, and the lag it records is the jump).
    case manual
}

extension EventLoop {
    /// The loop's current time, in nanoseconds on its ``LoopClock``. Call on the loop thread.
    @inline(__always)
    func clockNanoseconds() -> UInt64 {
        manualClockNanoseconds ?? barkd_monotonic_ns()
    }

    /// Moves a ``LoopClock/manual`` clock forward by `duration` and runs the timers that
    /// came due (timed-out socket waits resume with ``SocketWaitError/timedOut``). Call on
    /// the loop thread (``submit(_:)``); traps on a loop with the monotonic clock.
    public func advanceClock(by duration: Duration) {
        assertInEventLoop()
        guard let current = manualClockNanoseconds else { preconditionFailure("advanceClock(by:) needs a loop with a manual clock") }
        let (sum, overflow) = current.addingReportingOverflow(duration.nanosecondsClamped)
        manualClockNanoseconds = overflow ? .max : sum
        turnStartNanoseconds = manualClockNanoseconds!
        fireExpiredTimers()
    }
}
