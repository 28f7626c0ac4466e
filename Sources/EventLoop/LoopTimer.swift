/// A timer owned by one event loop: an action that runs on the loop at a deadline.
///
/// Re-arming a timer to a later deadline costs nothing: its queued heap entry stays, and
/// when that entry comes due the loop sees the later deadline and re-queues it. That is
/// what keeps the per-request idle and header deadlines off the heap on the hot path.
/// Loop-confined: create, arm and cancel it only on its loop.
final class LoopTimer {
    /// When the action should run; `nil` when the timer is disarmed.
    var deadline: UInt64?
    /// The sequence number of this timer's live heap entry, if one is queued.
    var queuedSequence: UInt64?
    var queuedDeadline: UInt64 = 0
    var action: (() -> Void)?

    init(action: (() -> Void)?) { self.action = action }
}

struct TimerEntry: Comparable {
    let deadline: UInt64
    let sequence: UInt64
    let timer: LoopTimer

    static func < (lhs: TimerEntry, rhs: TimerEntry) -> Bool {
        (lhs.deadline, lhs.sequence) < (rhs.deadline, rhs.sequence)
    }

    static func == (lhs: TimerEntry, rhs: TimerEntry) -> Bool {
        lhs.sequence == rhs.sequence
    }
}
