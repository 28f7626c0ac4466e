import CLinuxShim
import Glibc
import Synchronization
import Testing

@testable import EventLoop

@Suite("Event loop")
struct EventLoopTests {
    @Test func tasksPreferringALoopRunOnIt() async throws {
        let group = try EventLoopGroup(loopCount: 2)
        defer { group.shutdown() }
        for loop in group.loops {
            let onLoop = await Task(executorPreference: loop) { loop.inEventLoop }.value
            #expect(onLoop)
        }
        let elsewhere = await Task.detached { group.loops[0].inEventLoop }.value
        #expect(!elsewhere)
    }

    @Test func submitRunsOnTheLoop() async throws {
        let group = try EventLoopGroup(loopCount: 1)
        defer { group.shutdown() }
        let loop = group.loops[0]
        #expect(try await loop.submit { loop.inEventLoop })
    }

    @Test func timersFireInDeadlineOrderAndCancelledOnesNever() async throws {
        let group = try EventLoopGroup(loopCount: 1)
        defer { group.shutdown() }
        let loop = group.loops[0]
        let fired = Mutex<[Int]>([])
        try await loop.submit {
            let base = Deadline.now()
            // Scheduled out of order; equal deadlines keep scheduling order.
            for (label, offset) in [(3, 30), (1, 10), (2, 20), (4, 30), (5, 15)] {
                let timer = loop.scheduleTimer(at: base.advanced(by: .milliseconds(offset))) {
                    fired.withLock { $0.append(label) }
                }
                if label == 5 { loop.cancelTimer(timer) }
            }
        }
        try await Task.sleep(for: .milliseconds(150))
        #expect(fired.withLock { $0 } == [1, 2, 3, 4])
    }

    @Test func rearmingLaterDoesNotGrowTheHeap() async throws {
        let group = try EventLoopGroup(loopCount: 1)
        defer { group.shutdown() }
        let loop = group.loops[0]
        let counts = try await loop.submit { () -> (Int, Int, Bool) in
            let timer = loop.scheduleTimer(at: .after(.seconds(60))) {}
            let before = loop.timerHeapCount
            for second in 61...1060 { loop.rearm(timer, at: .after(.seconds(Int64(second)))) }
            let after = loop.timerHeapCount
            loop.rearm(timer, at: .after(.milliseconds(1)))  // earlier: needs a new entry
            return (before, after, timer.isArmed)
        }
        #expect(counts.0 == counts.1)
        #expect(counts.2)
    }

    @Test func sleepAndItsCancellation() async throws {
        let group = try EventLoopGroup(loopCount: 1)
        defer { group.shutdown() }
        let loop = group.loops[0]
        let start = ContinuousClock.now
        try await loop.sleep(until: .after(.milliseconds(30)))
        #expect(ContinuousClock.now - start >= .milliseconds(29))
        let sleeper = Task { try await loop.sleep(until: .after(.seconds(30))) }
        try await Task.sleep(for: .milliseconds(20))
        sleeper.cancel()
        await #expect(throws: CancellationError.self) { try await sleeper.value }
    }

    @Test func aManualClockStandsStillAndFiresTimersOnlyWhenAdvanced() async throws {
        let group = try EventLoopGroup(loopCount: 1, clock: .manual)
        defer { group.shutdown() }
        let loop = group.loops[0]
        let fired = Mutex<[Int]>([])
        let start = try await loop.submit { () -> Deadline in
            for seconds in [3600, 10] {
                loop.scheduleTimer(at: loop.now.advanced(by: .seconds(Int64(seconds)))) { fired.withLock { $0.append(seconds) } }
            }
            return loop.now
        }
        try await loop.submit { loop.advanceClock(by: .milliseconds(9_999)) }
        #expect(fired.withLock { $0 }.isEmpty)
        let now = try await loop.submit { () -> Deadline in
            loop.advanceClock(by: .milliseconds(1))
            return loop.now
        }
        #expect(fired.withLock { $0 } == [10])
        #expect(now == start.advanced(by: .seconds(10)), "the clock moved by itself")
        try await loop.submit { loop.advanceClock(by: .seconds(3600)) }
        #expect(fired.withLock { $0 } == [10, 3600])
    }

    @Test func loopsKeepTurningWhenIdle() async throws {
        let group = try EventLoopGroup(loopCount: 2)
        defer { group.shutdown() }
        try await Task.sleep(for: .milliseconds(700))
        let now = barkd_monotonic_ns()
        for loop in group.loops {
            let age = now - loop.lastTurnNanoseconds.load(ordering: .relaxed)
            #expect(age < 500_000_000, "loop \(loop.index) idle for \(age) ns")
        }
    }
}

/// An actor pinned to one loop through the loop's serial executor.
actor PinnedCounter {
    let loop: EventLoop
    var count = 0

    init(loop: EventLoop) { self.loop = loop }

    nonisolated var unownedExecutor: UnownedSerialExecutor { loop.serialExecutor.asUnownedSerialExecutor() }

    func increment() -> (Int, Bool) {
        count += 1
        return (count, loop.inEventLoop)
    }
}

@Suite("Event loop as a serial executor")
struct SerialExecutorTests {
    @Test func actorsPinnedToALoopRunThereSerially() async throws {
        let group = try EventLoopGroup(loopCount: 2)
        defer { group.shutdown() }
        let counter = PinnedCounter(loop: group.loops[1])
        let results = await withTaskGroup(of: (Int, Bool).self) { tasks in
            for _ in 0..<200 { tasks.addTask { await counter.increment() } }
            return await tasks.reduce(into: []) { $0.append($1) }
        }
        #expect(results.allSatisfy { $0.1 })
        #expect(Set(results.map(\.0)) == Set(1...200))
    }
}
