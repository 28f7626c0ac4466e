import Glibc
import Synchronization
import TestSupport
import Testing

@testable import EventLoop
@testable import Server

/// The edges of a drain: the listeners close at once (new clients are refused, not left
/// in a backlog until reset), and a client that connected before the drain gets an
/// answer — its request served with `Connection: close`, or a 503 when none comes.
@Suite("Server: the edges of a drain", .timeLimit(.minutes(1)))
struct DrainEdgeTests {
    @Test func theListenersCloseWhenTheDrainBeginsSoNewClientsAreRefused() async throws {
        let gate = Gate()
        try await ServerHarness.run(responder: ServerDrainTests.responder(gate)) { harness in
            let busy = try harness.connect()
            try await busy.send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
            try await waitUntil("the slow request reaches its handler") { gate.entered == 1 }

            harness.server.beginDrain()
            // Refused (ECONNREFUSED) while the request in flight still runs: no backlog
            // that nobody accepts.
            try await waitUntil("a new connection is refused") {
                do {
                    _ = try harness.connect()
                    return false
                } catch let failure as TestClient.ConnectFailed {
                    return failure.errno == ECONNREFUSED
                }
            }
            #expect(!harness.hasStopped)
            gate.release()
            #expect(try await busy.readResponse().closes)
        }
    }

    @Test func aClientAcceptedButNotYetReadWhenTheDrainBeginsIsAnswered() async throws {
        try await ServerHarness.run { harness in
            let client = try harness.connect()
            try await waitUntil("the connection is accepted") { harness.server.stats.openConnections.load(ordering: .relaxed) == 1 }
            harness.server.beginDrain()
            // The drain went into the loop's inbox before this: once this ran, so did it.
            let loop = harness.group.loops[0]
            try await loop.submit {}
            try await client.send("GET /late HTTP/1.1\r\nHost: x\r\n\r\n")
            let answered = try await client.readResponse()
            #expect(answered.status == 200)
            #expect(answered.text == "GET /late 0")
            #expect(answered.closes)
            try await client.expectClosed()
        }
    }

    @Test func aClientWaitingInTheBacklogWhenTheDrainBeginsIsServedNotReset() async throws {
        var configuration = HTTPServerConfiguration()
        configuration.maxConnections = 1  // the second client waits in the kernel's backlog
        try await ServerHarness.run(configuration: configuration) { harness in
            let first = try harness.connect()
            try await first.send("GET /first HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try await first.readResponse().closes == false)
            let queued = try harness.connect()  // the handshake completes in the kernel
            try await queued.send("GET /queued HTTP/1.1\r\nHost: x\r\n\r\n")
            try await waitUntil("accepting pauses at the limit") { harness.server.stats.rejections(.tooManyConnections) >= 1 }
            #expect(queued.pending() == .nothing, "the queued client was served beyond the limit")

            harness.server.beginDrain()
            try await first.expectClosed()
            let answered = try await queued.readResponse()
            #expect(answered.text == "GET /queued 0")
            #expect(answered.closes)
            try await queued.expectClosed()
        }
    }

    @Test func aConnectionReachedByTheDrainBeforeItsFirstReadServesItsRequest() async throws {
        try await ConnectionHarness.run(drainingFromStart: true) { harness in
            try await harness.client.send("GET /first HTTP/1.1\r\nHost: x\r\n\r\n")
            let answered = try await harness.client.readResponse()
            #expect(answered.text == "GET /first 0")
            #expect(answered.closes)
            try await harness.client.expectClosed()
        }
    }

    @Test func aFreshConnectionWaitingWhenTheDrainBeginsKeepsWaitingBriefly() async throws {
        try await ConnectionHarness.run { harness in
            try await harness.waitUntilReading()
            try await harness.beginDrain()
            try await harness.advanceClock(by: .milliseconds(999))
            #expect(harness.client.pending() == .nothing, "closed before its first request could come")
            try await harness.client.send("GET /first HTTP/1.1\r\nHost: x\r\n\r\n")
            let answered = try await harness.client.readResponse()
            #expect(answered.text == "GET /first 0")
            #expect(answered.closes)
        }
    }

    @Test func aFreshConnectionWhoseRequestDoesNotComeGets503() async throws {
        try await ConnectionHarness.run(drainingFromStart: true) { harness in
            try await harness.advanceClock(by: .milliseconds(999))
            #expect(harness.client.pending() == .nothing)
            try await harness.advanceClock(by: .milliseconds(1))
            let answered = try await harness.client.readResponse()
            #expect(answered.status == 503)
            #expect(answered.closes)
            try await harness.client.expectClosed()
        }
    }

    @Test func aKeepAliveRequestThatArrivesWithTheDrainIsServedNotDropped() async throws {
        try await ConnectionHarness.run { harness in
            try await harness.client.send("GET /first HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try await harness.client.readResponse().closes == false)
            try await harness.waitUntilReading()
            try await harness.beginDrain(whileSending: "GET /second HTTP/1.1\r\nHost: x\r\n\r\n")
            let answered = try await harness.client.readResponse()
            #expect(answered.text == "GET /second 0")
            #expect(answered.closes)
            try await harness.client.expectClosed()
        }
    }

    @Test func anIdleKeepAliveConnectionStillClosesAtOnce() async throws {
        try await ConnectionHarness.run { harness in
            try await harness.client.send("GET /first HTTP/1.1\r\nHost: x\r\n\r\n")
            _ = try await harness.client.readResponse()
            try await harness.waitUntilReading()
            try await harness.beginDrain()
            try await harness.client.expectClosed()
        }
    }
}
