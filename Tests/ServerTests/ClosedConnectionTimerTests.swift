import Synchronization
import TestSupport
import Testing

@testable import EventLoop
@testable import Server

/// A closed connection's timers leave the loop's timer heap with it.
@Suite("Server: timers of closed connections", .timeLimit(.minutes(1)))
struct ClosedConnectionTimerTests {
    @Test func connectAndCloseCyclesLeaveTheTimerHeapAtItsIdleSize() async throws {
        try await ServerHarness.run { harness in
            let loop = harness.group.loops[0]
            let idleSize = try await loop.submit { loop.timerHeap.count }
            for cycle in 0..<200 {
                let client = try harness.connect()
                if cycle % 2 == 0 {  // half of them after a request, half without one
                    try await client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
                    _ = try await client.readResponse()
                }
                client.close()
            }
            try await waitUntil("every connection is closed") { harness.server.stats.openConnections.load(ordering: .relaxed) == 0 }
            // Each connection waited with an idle deadline 60 s away: its timer must be gone now.
            let size = try await loop.submit { loop.timerHeap.count }
            #expect(size == idleSize, "\(size - idleSize) timers of closed connections are still queued")
        }
    }
}
