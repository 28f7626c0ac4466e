import Dispatch
import Testing

@testable import App

@Suite("Loop-local values")
struct LoopLocalTests {
    /// Every loop uses its own slot at the same time, as the access log's scratch buffers
    /// are used: each slot ends with exactly its own loop's writes. Under
    /// `scripts/sanitizers.sh` (ThreadSanitizer) this is also the check that two loops
    /// never make overlapping accesses to one shared variable.
    @Test func eachLoopWritesItsOwnSlotConcurrently() {
        let loops = 4
        let writes = 20_000
        let local = LoopLocal<[Int]>(loopCount: loops) { [] }
        DispatchQueue.concurrentPerform(iterations: loops) { loop in
            for value in 0..<writes {
                local.withValue(loop: loop) { $0.append(loop &* writes &+ value) }
            }
        }
        for loop in 0..<loops {
            let slot = local.withValue(loop: loop) { $0 }
            #expect(slot == Array(loop * writes..<(loop + 1) * writes))
        }
    }
}
