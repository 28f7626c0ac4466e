import Synchronization

/// Whether a loop keeps turning, for the systemd watchdog, `/livez` and `/health`. Safe
/// from any thread: the loop publishes the end of each turn and its heartbeat's lateness
/// in atomics, and a heartbeat timer makes even an idle loop turn every
/// ``EventLoop/heartbeatInterval``.
extension EventLoop {
    /// How long ago, as of `now`, the loop last finished a turn.
    public func timeSinceLastTurn(at now: Deadline = .now()) -> Duration {
        let last = lastTurnNanoseconds.load(ordering: .relaxed)
        return .nanoseconds(Int64(clamping: now.nanoseconds > last ? now.nanoseconds - last : 0))
    }

    /// Whether the loop has gone longer than `threshold` without finishing a turn (a job,
    /// a handler or a system call holds its thread). Keep `threshold` well above
    /// ``EventLoop/heartbeatInterval``.
    public func isStuck(threshold: Duration, at now: Deadline = .now()) -> Bool {
        timeSinceLastTurn(at: now) > threshold
    }

    /// How late the loop's heartbeat timer fired last time (event-loop lag): how long
    /// work kept the loop from its timers.
    public var lag: Duration {
        .nanoseconds(Int64(clamping: lagNanoseconds.load(ordering: .relaxed)))
    }
}
