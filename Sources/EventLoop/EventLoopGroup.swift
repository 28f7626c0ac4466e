import Glibc
import Synchronization

/// A fixed set of event loops, one thread each.
///
/// `@unchecked Sendable`: `loops` is immutable after init and each loop is Sendable;
/// the round-robin cursor is an atomic.
public final class EventLoopGroup: @unchecked Sendable {
    /// The loops, in index order.
    public let loops: [EventLoop]
    private let cursor = Atomic<Int>(0)

    /// Creates and starts `count` loops (default: one per online CPU), each reading the
    /// time from `clock` (tests of timeouts use ``LoopClock/manual``).
    public init(loopCount: Int, clock: LoopClock = .monotonic) throws(IOError) {
        precondition(loopCount > 0, "an event loop group needs at least one loop")
        var loops: [EventLoop] = []
        for index in 0..<loopCount {
            loops.append(try EventLoop(index: index, clock: clock))
        }
        self.loops = loops
        for loop in loops { loop.start() }
    }

    /// The next loop, round-robin.
    public func next() -> EventLoop {
        loops[cursor.add(1, ordering: .relaxed).oldValue % loops.count]
    }

    /// Stops every loop and waits for their threads to exit.
    public func shutdown() {
        for loop in loops { loop.stop() }
        for loop in loops { loop.join() }
    }
}
