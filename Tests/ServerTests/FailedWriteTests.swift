import Glibc
import TestSupport
import Testing

@testable import Server

/// After a response's body cannot be written (write timeout, peer gone) the connection
/// ends: its head is never sent again, nothing later is answered on it, and a write
/// timeout is counted once.
@Suite("Connection: a failed body write", .timeLimit(.minutes(1)))
struct FailedWriteTests {
    static let large = [UInt8](repeating: 0x61, count: 8 << 20)  // far beyond the socket buffers

    static let responder = TestResponder { request, _ in
        request.path == "/large" ? HTTPResponse(status: .ok, body: large) : .text(.ok, "small")
    }

    static func statusLines(in bytes: [UInt8]) -> Int {
        let needle = Array("HTTP/1.1 ".utf8)
        guard bytes.count >= needle.count else { return 0 }
        return (0...(bytes.count - needle.count)).count { bytes[$0] == needle[0] && bytes[$0..<($0 + needle.count)].elementsEqual(needle) }
    }

    @Test func aWriteTimeoutSendsTheHeadOnceAndIsCountedOnce() async throws {
        try await ConnectionHarness.run(responder: Self.responder) { harness in
            // A pipelined request behind the large one: it must not be answered.
            try await harness.client.send("GET /large HTTP/1.1\r\nHost: x\r\n\r\nGET /small HTTP/1.1\r\nHost: x\r\n\r\n")
            try await harness.waitUntilWriteBlocked()
            try await harness.advanceClockNow(by: .seconds(30))
            try await harness.waitUntilFinished()
            let received = try await harness.client.readUntilClosed()
            #expect(received.count < Self.large.count)
            #expect(Self.statusLines(in: received) == 1, "the head was sent \(Self.statusLines(in: received)) times")
            #expect(harness.stats.rejections(.writeTimeout) == 1)
            try await harness.advanceClockNow(by: .seconds(120))  // nothing left to time out
            #expect(harness.stats.rejections(.writeTimeout) == 1)
        }
    }

    @Test func aPeerThatGoesAwayMidBodyEndsTheConnectionWithoutATimeout() async throws {
        try await ConnectionHarness.run(responder: Self.responder) { harness in
            try await harness.client.send("GET /large HTTP/1.1\r\nHost: x\r\n\r\n")
            try await harness.waitUntilWriteBlocked()
            var head = [UInt8](repeating: 0, count: 9)
            #expect(recv(harness.client.fd, &head, head.count, Int32(MSG_DONTWAIT)) == 9)
            #expect(head == Array("HTTP/1.1 ".utf8))
            harness.client.close()  // unread data: the server's next write fails
            try await harness.waitUntilFinished()
            #expect(harness.stats.rejections(.writeTimeout) == 0)
        }
    }
}
