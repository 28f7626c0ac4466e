import Testing

@testable import EventLoop

/// ``TimerHeap`` as a value: order, removal from anywhere, moving a timer earlier.
@Suite("Timer heap")
struct TimerHeapTests {
    /// Timers in the order the heap gives them back, emptying it.
    static func drain(_ heap: inout TimerHeap) -> [UInt64] {
        var order: [UInt64] = []
        while let timer = heap.removeMin() {
            #expect(timer.heapIndex == nil)
            order.append(timer.queuedDeadline)
        }
        return order
    }

    @Test func timersComeOutByDeadlineThenByQueueOrder() {
        var heap = TimerHeap()
        let deadlines: [UInt64] = [50, 10, 40, 10, 30, 20, 50, 5]
        let timers = deadlines.map { _ in LoopTimer(action: nil) }
        for (timer, deadline) in zip(timers, deadlines) { heap.insert(timer, at: deadline) }
        var order: [ObjectIdentifier] = []
        while let timer = heap.removeMin() { order.append(ObjectIdentifier(timer)) }
        let expected = zip(timers, deadlines).enumerated()
            .sorted { ($0.element.1, $0.offset) < ($1.element.1, $1.offset) }
            .map { ObjectIdentifier($0.element.0) }
        #expect(order == expected)
    }

    @Test func removingFromAnywhereKeepsTheOrderAndTheCount() {
        var heap = TimerHeap()
        var generator = SystemRandomNumberGenerator()
        let timers = (0..<500).map { _ in LoopTimer(action: nil) }
        for timer in timers { heap.insert(timer, at: UInt64.random(in: 0..<1000, using: &generator)) }
        var kept = timers
        kept.shuffle(using: &generator)
        for timer in kept.prefix(300) { heap.remove(timer) }
        kept.removeFirst(300)
        #expect(heap.count == 200)
        heap.remove(timers.first { $0.heapIndex == nil }!)  // not queued: nothing happens
        #expect(heap.count == 200)
        let order = Self.drain(&heap)
        #expect(order == kept.map(\.queuedDeadline).sorted())
        #expect(heap.count == 0)
    }

    @Test func movingATimerEarlierPutsItBehindTimersAlreadyThere() {
        var heap = TimerHeap()
        let (a, b, c) = (LoopTimer(action: nil), LoopTimer(action: nil), LoopTimer(action: nil))
        heap.insert(a, at: 10)
        heap.insert(b, at: 20)
        heap.insert(c, at: 30)
        heap.moveEarlier(c, to: 10)
        #expect(heap.count == 3)
        #expect(heap.removeMin() === a)
        #expect(heap.removeMin() === c)
        #expect(heap.removeMin() === b)
    }
}

/// The loop's use of the heap: a cancelled timer leaves it at once.
@Suite("Event loop: timer heap size")
struct TimerHeapSizeTests {
    @Test func cancellingATimerTakesItOutOfTheHeap() async throws {
        let group = try EventLoopGroup(loopCount: 1, clock: .manual)
        defer { group.shutdown() }
        let loop = group.loops[0]
        let sizes = try await loop.submit { () -> (Int, Int, Int) in
            let before = loop.timerHeap.count
            let timers = (1...100).map { loop.scheduleTimer(at: loop.now.advanced(by: .seconds(Int64($0)))) {} }
            let armed = loop.timerHeap.count
            for timer in timers { loop.cancelTimer(timer) }
            return (before, armed, loop.timerHeap.count)
        }
        #expect(sizes.1 == sizes.0 + 100)
        #expect(sizes.2 == sizes.0)
    }
}
