import TestSupport
import Testing

@testable import Server

/// Keep-alive, pipelining and `Connection` handling of one ``HTTPConnection``, driven
/// over a socketpair (no application, no process).
@Suite("Connection: keep-alive and pipelining", .timeLimit(.minutes(1)))
struct ConnectionKeepAliveTests {
    @Test func servesSeveralRequestsOnOneConnection() async throws {
        try await ConnectionHarness.run { harness in
            for index in 0..<5 {
                try await harness.client.send("GET /r\(index) HTTP/1.1\r\nHost: x\r\n\r\n")
                let response = try await harness.client.readResponse()
                #expect(response.status == 200)
                #expect(response.text == "GET /r\(index) 0")
                #expect(response.header("Connection") == nil, "HTTP/1.1 keep-alive needs no Connection field")
                #expect(response.header("Content-Length") == "\(response.body.count)")
                #expect(response.header("Server") == "barkd")
                #expect(response.header("Date")?.hasSuffix(" GMT") == true)
            }
            #expect(harness.client.pending() == .nothing)
            #expect(!harness.isFinished)
        }
    }

    @Test func answersPipelinedRequestsInOrder() async throws {
        try await ConnectionHarness.run { harness in
            let targets = ["/a", "/b?x=1", "/c", "/d"]
            var payload = targets.map { "GET \($0) HTTP/1.1\r\nHost: x\r\n\r\n" }.joined()
            payload += "POST /e HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"
            try await harness.client.send(payload)  // one write: every request is in flight at once
            for target in targets {
                #expect(try await harness.client.readResponse().text == "GET \(target) 0")
            }
            #expect(try await harness.client.readResponse().text == "POST /e 3")
            #expect(harness.client.pending() == .nothing)
        }
    }

    @Test func aSlowFirstPipelinedRequestHoldsBackTheSecond() async throws {
        let gate = Gate()
        let responder = TestResponder { request, _ in
            if request.path == "/slow" { await gate.pass() }
            return .text(.ok, request.path)
        }
        try await ConnectionHarness.run(responder: responder) { harness in
            try await harness.client.send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\nGET /fast HTTP/1.1\r\nHost: x\r\n\r\n")
            try await waitUntil("the first request reaches its handler") { gate.entered == 1 }
            #expect(harness.client.pending() == .nothing, "the second answer came before the first")
            gate.release()
            #expect(try await harness.client.readResponse().text == "/slow")
            #expect(try await harness.client.readResponse().text == "/fast")
        }
    }

    @Test func connectionCloseEndsTheConnectionAndDropsWhatFollows() async throws {
        try await ConnectionHarness.run { harness in
            try await harness.client.send(
                "GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\nGET /c HTTP/1.1\r\nHost: x\r\n\r\n"
            )
            let first = try await harness.client.readResponse()
            #expect(first.text == "GET /a 0" && !first.closes)
            let second = try await harness.client.readResponse()
            #expect(second.text == "GET /b 0" && second.closes)
            try await harness.client.expectClosed()  // /c is never answered
            // The connection lingers (reading and discarding) for at most 2 s more.
            try await harness.advanceClockNow(by: .milliseconds(1_999))
            #expect(!harness.isFinished)
            try await harness.advanceClockNow(by: .milliseconds(1))
            try await harness.waitUntilFinished()
        }
    }

    @Test func http10ClosesUnlessAskedToKeepAlive() async throws {
        try await ConnectionHarness.run { harness in
            for _ in 0..<2 {
                try await harness.client.send("GET /ka HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
                let response = try await harness.client.readResponse()
                #expect(response.header("Connection") == "keep-alive")
            }
            try await harness.client.send("GET /last HTTP/1.0\r\n\r\n")
            #expect(try await harness.client.readResponse().closes)
            try await harness.client.expectClosed()
        }
    }

    @Test func theLastAllowedRequestOfAConnectionCloses() async throws {
        var configuration = HTTPServerConfiguration()
        configuration.maxRequestsPerConnection = 3
        try await ConnectionHarness.run(configuration: configuration) { harness in
            for index in 1...3 {
                try await harness.client.send("GET /\(index) HTTP/1.1\r\nHost: x\r\n\r\n")
                #expect(try await harness.client.readResponse().closes == (index == 3))
            }
            try await harness.client.expectClosed()
        }
    }

    @Test func headAnswersWithTheLengthAndNoBody() async throws {
        let responder = TestResponder { _, _ in .text(.ok, String(repeating: "x", count: 40)) }
        try await ConnectionHarness.run(responder: responder) { harness in
            try await harness.client.send("HEAD / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n")
            let head = try await harness.client.readResponse(head: true)
            #expect(head.header("Content-Length") == "40")
            let get = try await harness.client.readResponse()  // would misparse if HEAD had a body
            #expect(get.body.count == 40)
        }
    }

    @Test func noContentAndNotModifiedCarryNoLength() async throws {
        let responder = TestResponder { request, _ in
            HTTPResponse(status: request.path == "/204" ? .noContent : .notModified, body: Array("ignored".utf8))
        }
        try await ConnectionHarness.run(responder: responder) { harness in
            try await harness.client.send("GET /204 HTTP/1.1\r\nHost: x\r\n\r\nGET /304 HTTP/1.1\r\nHost: x\r\n\r\n")
            for status in [204, 304] {
                let response = try await harness.client.readResponse()
                #expect(response.status == status)
                #expect(response.header("Content-Length") == nil)
            }
            #expect(harness.client.pending() == .nothing, "a body was written after a 204/304")
        }
    }

    @Test func largeBodiesArriveWholeAndTheConnectionGoesOn() async throws {
        let large = (0..<(300 * 1024)).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 >> 8) }
        let responder = TestResponder { request, _ in
            request.path == "/large" ? HTTPResponse(status: .ok, body: large) : .text(.ok, "small")
        }
        try await ConnectionHarness.run(responder: responder) { harness in
            try await harness.client.send("GET /large HTTP/1.1\r\nHost: x\r\n\r\nGET /small HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try await harness.client.readResponse().body == large)
            #expect(try await harness.client.readResponse().text == "small")
        }
    }

    @Test func aPeerThatGoesAwayEndsTheConnection() async throws {
        try await ConnectionHarness.run { harness in
            try await harness.client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            _ = try await harness.client.readResponse()
            harness.client.shutdownWrite()
            try await harness.client.expectClosed()
            try await harness.waitUntilFinished()
        }
    }
}
