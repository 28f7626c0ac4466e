import TestSupport
import Testing

@testable import Server

/// The header, body, idle and write deadlines of one connection, on a loop whose clock
/// the test moves: each test shows the deadline has not fired a moment before it is
/// due and fires when it is, without waiting for it.
@Suite("Connection: timeouts on a test clock", .timeLimit(.minutes(1)))
struct ConnectionTimeoutTests {
    /// Default timeouts: header 10 s, body 30 s, idle 60 s, write 30 s.
    let configuration = HTTPServerConfiguration()

    @Test func anIdleKeepAliveConnectionIsClosedSilentlyAtTheIdleTimeout() async throws {
        try await ConnectionHarness.run(configuration: configuration) { harness in
            try await harness.client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try await harness.client.readResponse().status == 200)
            try await harness.advanceClock(by: .seconds(59))
            try await harness.waitUntilReading()
            #expect(harness.client.pending() == .nothing, "closed before the idle timeout")
            try await harness.advanceClock(by: .seconds(1))
            try await harness.client.expectClosed()  // no 408: nothing was asked
            try await harness.waitUntilFinished()
            #expect(harness.stats.rejections(.idleTimeout) == 1)
        }
    }

    @Test func aRequestResetsTheIdleTimeout() async throws {
        try await ConnectionHarness.run(configuration: configuration) { harness in
            for _ in 0..<3 {
                try await harness.advanceClock(by: .seconds(50))
                try await harness.client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
                #expect(try await harness.client.readResponse().status == 200)
            }
            #expect(harness.stats.rejections(.idleTimeout) == 0)
        }
    }

    @Test func anIncompleteHeaderSectionGets408AtTheHeaderTimeout() async throws {
        try await ConnectionHarness.run(configuration: configuration) { harness in
            try await harness.client.send("GET / HTTP/1.1\r\nHost: x\r\n")
            try await harness.advanceClock(by: .milliseconds(9_999))
            try await harness.waitUntilReading()
            #expect(harness.client.pending() == .nothing, "answered before the header timeout")
            try await harness.advanceClock(by: .milliseconds(1))
            let response = try await harness.client.readResponse()
            #expect(response.status == 408)
            #expect(response.closes)
            #expect(response.text.contains("header timeout"))
            try await harness.client.expectClosed()
            #expect(harness.stats.rejections(.headerTimeout) == 1)
        }
    }

    @Test func theHeaderTimeoutCountsFromTheFirstByteNotTheLast() async throws {
        try await ConnectionHarness.run(configuration: configuration) { harness in
            // Slowloris: a byte every 3 s never completes the head, and does not extend it.
            for byte in "GET / HTTP/1.1\r\n".utf8.prefix(4) {
                try await harness.client.send([byte])
                try await harness.advanceClock(by: .seconds(3))
            }
            let response = try await harness.client.readResponse()
            #expect(response.status == 408)
            #expect(harness.stats.rejections(.headerTimeout) == 1)
        }
    }

    @Test func aPipelinedRequestCompletedWithinItsHeaderTimeoutIsServed() async throws {
        try await ConnectionHarness.run(configuration: configuration) { harness in
            // The second request's first bytes arrive with the first one; its head is
            // complete 9 s after that, within its 10 s.
            try await harness.client.send("GET /1 HTTP/1.1\r\nHost: x\r\n\r\nGET /2 HTTP/1.1\r\n")
            #expect(try await harness.client.readResponse().text == "GET /1 0")
            try await harness.advanceClock(by: .seconds(9))
            try await harness.client.send("Host: x\r\n\r\n")
            #expect(try await harness.client.readResponse().text == "GET /2 0")
            #expect(harness.stats.rejections(.headerTimeout) == 0)
        }
    }

    @Test func aBodyThatStopsComingGets408AtTheBodyTimeout() async throws {
        try await ConnectionHarness.run(configuration: configuration) { harness in
            try await harness.client.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc")
            try await harness.advanceClock(by: .seconds(20))
            try await harness.client.send("def")  // more body bytes do not extend the deadline
            try await harness.advanceClock(by: .milliseconds(9_999))
            try await harness.waitUntilReading()
            #expect(harness.client.pending() == .nothing, "answered before the body timeout")
            try await harness.advanceClock(by: .milliseconds(1))
            let response = try await harness.client.readResponse()
            #expect(response.status == 408)
            #expect(response.text.contains("body timeout"))
            #expect(response.closes)
            try await harness.client.expectClosed()
            #expect(harness.stats.rejections(.bodyTimeout) == 1)
            #expect(harness.stats.rejections(.headerTimeout) == 0)
        }
    }

    @Test func theBodyTimeoutIsItsOwnNotTheHeaderTimeout() async throws {
        try await ConnectionHarness.run(configuration: configuration) { harness in
            try await harness.client.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nab")
            try await harness.advanceClock(by: .seconds(25))  // past the header timeout
            try await harness.client.send("cd")
            #expect(try await harness.client.readResponse().text == "POST / 4")
        }
    }

    @Test func aClientThatStopsReadingIsDroppedAtTheWriteTimeout() async throws {
        let large = [UInt8](repeating: 0x61, count: 8 << 20)  // far beyond the socket buffers
        let responder = TestResponder { _, _ in HTTPResponse(status: .ok, body: large) }
        try await ConnectionHarness.run(configuration: configuration, responder: responder) { harness in
            try await harness.client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            try await harness.waitUntilWriteBlocked()
            try await harness.advanceClockNow(by: .milliseconds(29_999))
            try await harness.waitUntilWriteBlocked()
            #expect(!harness.isFinished, "dropped before the write timeout")
            try await harness.advanceClockNow(by: .milliseconds(1))
            try await harness.waitUntilFinished()
            #expect(harness.stats.rejections(.writeTimeout) == 1)
            let received = try await harness.client.readUntilClosed()
            #expect(received.count < large.count, "the whole response arrived although the write timed out")
        }
    }
}
