import Glibc
import Synchronization
import TestSupport
import Testing

@testable import Server

/// Draining: idle keep-alive connections close at once, a request in flight is finished
/// and its response ends the connection (`Connection: close`); a graceful shutdown of
/// ``HTTPServer/run()`` does that, then returns and stops listening.
@Suite("Server: drain and graceful shutdown", .timeLimit(.minutes(1)))
struct ServerDrainTests {
    /// `/slow` waits at `gate`; anything else is echoed.
    static func responder(_ gate: Gate) -> TestResponder {
        TestResponder { request, _ in
            if request.path == "/slow" { await gate.pass() }
            return .text(.ok, "\(request.method) \(request.path) \(request.body.count)")
        }
    }

    @Test func beginDrainClosesIdleConnectionsAndFinishesTheOneInFlight() async throws {
        let gate = Gate()
        try await ServerHarness.run(responder: Self.responder(gate)) { harness in
            let idle = try harness.connect()
            try await idle.send("GET /first HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try await idle.readResponse().closes == false)
            let busy = try harness.connect()
            try await busy.send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
            try await waitUntil("the slow request reaches its handler") { gate.entered == 1 }

            harness.server.beginDrain()
            try await idle.expectClosed()
            #expect(busy.pending() == .nothing, "the request in flight was cut off")
            gate.release()
            let answered = try await busy.readResponse()
            #expect(answered.text == "GET /slow 0")
            #expect(answered.closes)
            try await busy.expectClosed()
            busy.close()
            try await waitUntil("every connection is closed") { harness.server.stats.openConnections.load(ordering: .relaxed) == 0 }
        }
    }

    @Test func aRequestWhoseBodyIsStillComingIsFinishedAfterTheDrainBegan() async throws {
        try await ServerHarness.run { harness in
            let client = try harness.connect()
            try await client.send("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n")
            #expect(try await client.readResponse().status == 100)  // its head is parsed: in flight
            try await client.send("he")
            harness.server.beginDrain()
            try await client.send("llo")
            let answered = try await client.readResponse()
            #expect(answered.text == "POST /upload 5")
            #expect(answered.closes)
            try await client.expectClosed()
        }
    }

    @Test func aPipelinedRequestBehindTheOneInFlightIsNotServedOnceDraining() async throws {
        let gate = Gate()
        try await ServerHarness.run(responder: Self.responder(gate)) { harness in
            let client = try harness.connect()
            try await client.send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\nGET /next HTTP/1.1\r\nHost: x\r\n\r\n")
            try await waitUntil("the slow request reaches its handler") { gate.entered == 1 }
            harness.server.beginDrain()
            gate.release()
            let answered = try await client.readResponse()
            #expect(answered.text == "GET /slow 0")
            #expect(answered.closes)
            try await client.expectClosed()
        }
    }

    @Test func aGracefulShutdownDrainsThenRunReturnsAndTheListenerIsClosed() async throws {
        let gate = Gate()
        try await ServerHarness.run(responder: Self.responder(gate)) { harness in
            let idle = try harness.connect()
            try await idle.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            _ = try await idle.readResponse()
            let busy = try harness.connect()
            try await busy.send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
            try await waitUntil("the slow request reaches its handler") { gate.entered == 1 }

            harness.shutDownGracefully()
            try await idle.expectClosed()
            #expect(!harness.hasStopped, "run() returned with a request in flight")
            gate.release()
            #expect(try await busy.readResponse().closes)
            try await busy.expectClosed()
            busy.close()
            try await harness.waitUntilStopped()
            #expect(throws: TestClient.ConnectFailed.self, "a new connection was accepted after run() returned") {
                try harness.connect()
            }
        }
    }

    @Test func theGracePeriodEndsARequestThatDoesNotFinish() async throws {
        var configuration = HTTPServerConfiguration()
        configuration.shutdownGrace = .milliseconds(200)
        try await ServerHarness.run(configuration: configuration) { harness in
            let stuck = try harness.connect()
            try await stuck.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc")  // the rest never comes
            try await waitUntil("the connection is open") { harness.server.stats.openConnections.load(ordering: .relaxed) == 1 }
            let started = ContinuousClock.now
            harness.shutDownGracefully()
            try await harness.waitUntilStopped()
            #expect(ContinuousClock.now - started >= .milliseconds(200), "run() returned before the grace period was over")
            _ = try await stuck.readUntilClosed()
            #expect(harness.server.stats.openConnections.load(ordering: .relaxed) == 0)
        }
    }
}
