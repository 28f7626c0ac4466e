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
            let before = loop.timerHeap.count
            for second in 61...1060 { loop.arm(timer, at: Deadline.after(.seconds(Int64(second))).nanoseconds) }
            let after = loop.timerHeap.count
            loop.arm(timer, at: Deadline.after(.milliseconds(1)).nanoseconds)  // earlier: needs a new entry
            return (before, after, timer.deadline != nil)
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
        for loop in group.loops {
            #expect(!loop.isStuck(threshold: .milliseconds(500)), "loop \(loop.index) idle for \(loop.timeSinceLastTurn())")
            #expect(loop.lag < .milliseconds(500))
        }
    }

    @Test func aBlockedLoopIsStuckAndLateAfterwards() async throws {
        let group = try EventLoopGroup(loopCount: 1)
        defer { group.shutdown() }
        let loop = group.loops[0]
        let released = Atomic<Bool>(false)
        loop.execute {
            // Holds the loop's thread, as a handler calling a blocking function would
            // (until released, at most 10 s).
            for _ in 0..<5000 where !released.load(ordering: .relaxed) { usleep(2000) }
        }
        #expect(await eventually { loop.isStuck(threshold: .milliseconds(300)) })
        #expect(loop.timeSinceLastTurn() > .milliseconds(300))
        // Queued behind the blocking job, this runs in the turn after it, when the late
        // heartbeat has just fired: it reads that lag before the next heartbeat (250 ms
        // later) replaces it, however late this test's own task is scheduled.
        let lagAfterRelease = Atomic<Int64>(-1)
        loop.execute { lagAfterRelease.store(Int64(clamping: loop.lag.nanosecondsClamped), ordering: .relaxed) }
        released.store(true, ordering: .relaxed)
        #expect(await eventually { !loop.isStuck(threshold: .milliseconds(300)) })
        #expect(await eventually { lagAfterRelease.load(ordering: .relaxed) >= 0 })
        let lag = Duration.nanoseconds(lagAfterRelease.load(ordering: .relaxed))
        #expect(lag > .milliseconds(25), "the heartbeat fired late by \(lag)")
    }

    /// Whether `condition` holds within 5 s, polled every millisecond: the late heartbeat's
    /// lag is visible only until the next heartbeat (250 ms) overwrites it.
    private func eventually(_ condition: () -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + .seconds(5)
        while ContinuousClock.now < deadline {
            if condition() { return true }
            try? await Task.sleep(for: .milliseconds(1))
        }
        return condition()
    }
}
