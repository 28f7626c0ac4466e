/// A timer owned by one event loop: an action that runs on the loop at a deadline.
///
/// Re-arming a timer to a later deadline costs nothing: it stays where it is queued in
/// the loop's ``TimerHeap``, and when that place comes due the loop sees the later
/// deadline and re-queues it. That is what keeps the per-request idle and header
/// deadlines off the heap on the hot path. Cancelling takes it out of the heap at once.
/// Loop-confined: create, arm and cancel it only on its loop.
final class LoopTimer {
    /// When the action should run; `nil` when the timer is disarmed.
    var deadline: UInt64?
    /// Where the timer sits in its loop's ``TimerHeap``; nil when it is not queued.
    var heapIndex: Int?
    /// The deadline and order it is queued at (valid while ``heapIndex`` is set).
    var queuedDeadline: UInt64 = 0
    var queuedSequence: UInt64 = 0
    var action: (() -> Void)?

    init(action: (() -> Void)?) { self.action = action }
}
