import Synchronization
import TestSupport
import Testing

@testable import Server

/// What one connection may make the server hold: buffers lent per request and given back,
/// growth held to this request's own limits (chunk framing included) and to the
/// server-wide request-buffer budget, which answers 503 when spent.
@Suite("Connection: request buffers", .timeLimit(.minutes(1)))
struct RequestBufferTests {
    private static func post(_ target: String, bodyBytes: Int) -> String {
        "POST \(target) HTTP/1.1\r\nHost: x\r\nContent-Length: \(bodyBytes)\r\n\r\n" + String(repeating: "b", count: bodyBytes)
    }

    @Test func aLargeRequestsBufferIsChargedWhileReadAndGivenBackAfterItsAnswer() async throws {
        try await ConnectionHarness.run { harness in
            let request = Self.post("/big", bodyBytes: 100_000)
            try await harness.client.send(String(request.prefix(60_000)))
            try await waitUntil("the grown buffer is charged to the budget") {
                harness.stats.requestBufferBytes.load(ordering: .relaxed) > 0
            }
            try await harness.client.send(String(request.dropFirst(60_000)))
            #expect(try await harness.client.readResponse().text == "POST /big 100000")
            #expect(harness.stats.requestBufferBytes.load(ordering: .relaxed) == 0, "the grown buffer was kept after its request")
            try await harness.client.send("GET /next HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try await harness.client.readResponse().text == "GET /next 0")
            #expect(!harness.isFinished)
        }
    }

    @Test func aRequestPastTheBudgetGets503WhileOneThatFitsTheLentBufferIsRead() async throws {
        var configuration = HTTPServerConfiguration()
        configuration.requestBufferBudget = 0
        try await ConnectionHarness.run(configuration: configuration) { harness in
            try await harness.client.send("POST /small HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n" + String(repeating: "s", count: 1000))
            #expect(try await harness.client.readResponse().text == "POST /small 1000")
            try await harness.client.send(Self.post("/large", bodyBytes: 20_000), within: .seconds(10))
            let refused = try await harness.client.readResponse()
            #expect(refused.status == 503)
            #expect(refused.header("Connection") == "close")
            #expect(refused.text.contains("request buffers full"))
            harness.client.shutdownWrite()
            try await harness.client.expectClosed()
            try await harness.waitUntilFinished()
            #expect(harness.stats.rejections(.requestBuffersFull) == 1)
            #expect(harness.stats.requestBufferBytes.load(ordering: .relaxed) == 0)
        }
    }

    @Test func aBudgetLeftForOneRequestServesItAndRefusesAStillLargerOne() async throws {
        var configuration = HTTPServerConfiguration()
        configuration.requestBufferBudget = 64 * 1024
        try await ConnectionHarness.run(configuration: configuration) { harness in
            try await harness.client.send(Self.post("/fits", bodyBytes: 40_000))
            #expect(try await harness.client.readResponse().text == "POST /fits 40000")
            try await harness.client.send(Self.post("/too-large", bodyBytes: 200_000), within: .seconds(10))
            #expect(try await harness.client.readResponse().status == 503)
        }
    }

    /// One-byte chunks with long extensions: a small body in a great deal of framing. The
    /// anonymous request is held to the general limit's bound, not the upload's.
    @Test func chunkFramingCountsAgainstThisRequestsOwnLimit() async throws {
        var configuration = HTTPServerConfiguration()
        configuration.limits.maxBodyBytes = 1000
        configuration.limits.bodyLimit = OneRouteBodyLimit(path: "/upload", maxBodyBytes: 1 << 20, header: "yes")
        let chunk = "1;e=" + String(repeating: "x", count: 100) + "\r\nc\r\n"
        let framing = String(repeating: chunk, count: 500) + "0\r\n\r\n"  // 500 body bytes in 55 KB
        func chunked(_ authorization: String?) -> String {
            "POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                + (authorization.map { "Authorization: \($0)\r\n" } ?? "") + "\r\n" + framing
        }
        try await ConnectionHarness.run(configuration: configuration) { harness in
            try await harness.client.send(chunked("yes"), within: .seconds(10))
            #expect(try await harness.client.readResponse().text == "POST /upload 500", "the admitted upload's bound covers its framing")
        }
        try await ConnectionHarness.run(configuration: configuration) { harness in
            try await harness.client.send(chunked(nil), within: .seconds(10))
            let refused = try await harness.client.readResponse()
            #expect(refused.status == 413)
            #expect(refused.header("Connection") == "close")
            #expect(harness.stats.rejections(.bodyTooLarge) == 1)
        }
    }
}
