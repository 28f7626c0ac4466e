/// A loop's armed timers, earliest queued deadline first (equal deadlines in the order
/// they were queued): a binary min-heap in which every timer knows its own index, so a
/// timer can leave it at once (``remove(_:)``) instead of lingering as a dead entry until
/// its deadline. A flood of connections that open and close must not grow the heap.
///
/// A value type over loop-confined ``LoopTimer``s; only its loop touches it.
struct TimerHeap {
    private var timers: [LoopTimer] = []
    private var nextSequence: UInt64 = 0

    /// Timers queued now.
    var count: Int { timers.count }

    /// The timer whose queued deadline comes first.
    var min: LoopTimer? { timers.first }

    /// Queues `timer` (not queued yet) at `deadline`.
    mutating func insert(_ timer: LoopTimer, at deadline: UInt64) {
        precondition(timer.heapIndex == nil, "timer queued twice")
        stamp(timer, deadline)
        timer.heapIndex = timers.count
        timers.append(timer)
        siftUp(from: timers.count - 1)
    }

    /// Moves a queued timer to an earlier `deadline` (behind timers already queued there).
    mutating func moveEarlier(_ timer: LoopTimer, to deadline: UInt64) {
        guard let index = timer.heapIndex else { return insert(timer, at: deadline) }
        precondition(deadline <= timer.queuedDeadline, "moveEarlier to a later deadline")
        stamp(timer, deadline)
        siftUp(from: index)
    }

    /// Takes the first timer out.
    @discardableResult
    mutating func removeMin() -> LoopTimer? {
        guard let first = timers.first else { return nil }
        remove(first)
        return first
    }

    /// Takes `timer` out, wherever it is; nothing when it is not queued.
    mutating func remove(_ timer: LoopTimer) {
        guard let index = timer.heapIndex else { return }
        timer.heapIndex = nil
        let last = timers.removeLast()
        guard index < timers.count else { return }
        timers[index] = last
        last.heapIndex = index
        siftDown(from: index)
        siftUp(from: last.heapIndex!)
    }

    private mutating func stamp(_ timer: LoopTimer, _ deadline: UInt64) {
        nextSequence &+= 1
        timer.queuedDeadline = deadline
        timer.queuedSequence = nextSequence
    }

    private static func precedes(_ lhs: LoopTimer, _ rhs: LoopTimer) -> Bool {
        (lhs.queuedDeadline, lhs.queuedSequence) < (rhs.queuedDeadline, rhs.queuedSequence)
    }

    private mutating func siftUp(from start: Int) {
        var index = start
        while index > 0 {
            let parent = (index - 1) / 2
            guard Self.precedes(timers[index], timers[parent]) else { return }
            swapAt(index, parent)
            index = parent
        }
    }

    private mutating func siftDown(from start: Int) {
        var index = start
        while true {
            let left = 2 * index + 1
            guard left < timers.count else { return }
            let right = left + 1
            let child = right < timers.count && Self.precedes(timers[right], timers[left]) ? right : left
            guard Self.precedes(timers[child], timers[index]) else { return }
            swapAt(index, child)
            index = child
        }
    }

    private mutating func swapAt(_ i: Int, _ j: Int) {
        timers.swapAt(i, j)
        timers[i].heapIndex = i
        timers[j].heapIndex = j
    }
}
