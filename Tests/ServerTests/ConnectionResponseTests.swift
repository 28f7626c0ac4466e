import Logging
import Testing

@testable import Server

/// What the connection adds to or makes of a responder's answer: request ids, errors
/// that render themselves, the 500 for any other error, and the rule that a 400 ends
/// the connection.
@Suite("Connection: request ids, errors and the 400 rule", .timeLimit(.minutes(1)))
struct ConnectionResponseTests {
    @Test func theRequestIDTheContextCarriesIsEchoed() async throws {
        let responder = TestResponder { request, context in
            context.requestID = String(request.path.dropFirst())
            return .text(.ok, "ok")
        }
        try await ConnectionHarness.run(responder: responder) { harness in
            try await harness.client.send("GET /req-1 HTTP/1.1\r\nHost: x\r\n\r\nGET /req-2 HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try await harness.client.readResponse().headerValues("X-Request-Id") == ["req-1"])
            #expect(try await harness.client.readResponse().headerValues("X-Request-Id") == ["req-2"])
        }
    }

    @Test func noRequestIDFieldWhenTheContextHasNone() async throws {
        try await ConnectionHarness.run { harness in
            try await harness.client.send("GET / HTTP/1.1\r\nHost: x\r\nX-Request-Id: from-client\r\n\r\n")
            let response = try await harness.client.readResponse()
            #expect(response.headerValues("X-Request-Id").isEmpty, "\(response.headers)")
        }
    }

    @Test func theContextsLoggerCarriesTheRequestID() async throws {
        let logs = CapturedLogs()
        let responder = TestResponder { _, context in
            context.requestID = "rid-7"
            context.logger.info("handled")
            return .text(.ok, "ok")
        }
        try await ConnectionHarness.run(logger: logs.logger, responder: responder) { harness in
            try await harness.client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            _ = try await harness.client.readResponse()
            #expect(logs.entries("handled").map(\.metadata["request_id"]) == ["rid-7"])
        }
    }

    @Test func anHTTPResponseErrorIsAnsweredWithItsOwnResponse() async throws {
        let responder = TestResponder { request, _ in
            if request.path == "/teapot" { throw TeapotError() }
            return .text(.ok, "fine")
        }
        try await ConnectionHarness.run(responder: responder) { harness in
            try await harness.client.send("GET /teapot HTTP/1.1\r\nHost: x\r\n\r\nGET /next HTTP/1.1\r\nHost: x\r\n\r\n")
            let response = try await harness.client.readResponse()
            #expect(response.status == 418)
            #expect(response.header("Content-Type") == "application/json")
            #expect(response.header("X-Kettle") == "on")
            #expect(response.text == #"{"error":"short and stout"}"#)
            #expect(!response.closes)
            #expect(try await harness.client.readResponse().text == "fine", "the connection did not go on")
        }
    }

    @Test func anyOtherErrorIsA500WithoutItsTextAndIsLogged() async throws {
        let logs = CapturedLogs()
        let responder = TestResponder { request, context in
            context.requestID = "rid-500"
            context.route = "/broken"
            if request.path == "/broken" { throw SecretFailure() }
            return .text(.ok, "fine")
        }
        try await ConnectionHarness.run(logger: logs.logger, responder: responder) { harness in
            try await harness.client.send("GET /broken HTTP/1.1\r\nHost: x\r\n\r\nGET /next HTTP/1.1\r\nHost: x\r\n\r\n")
            let response = try await harness.client.readResponse()
            #expect(response.status == 500)
            #expect(response.text == #"{"error":"internal error"}"#)
            #expect(!response.text.contains("hunter2"))
            #expect(response.header("X-Request-Id") == "rid-500")
            #expect(try await harness.client.readResponse().text == "fine", "the connection did not go on")
            let logged = logs.entries("handler failed")
            #expect(logged.count == 1)
            #expect(logged.first?.level == .error)
            #expect(logged.first?.metadata["route"] == "/broken")
            #expect(logged.first?.metadata["request_id"] == "rid-500")
            #expect(logged.first?.metadata["error"]?.contains("hunter2") == true, "the log keeps what the client does not see")
        }
    }

    @Test func aRequestTheParserRefusesGets400WithAnIDAndTheConnectionCloses() async throws {
        try await ConnectionHarness.run { harness in
            // No Host: the framing of what follows cannot be trusted, so /after is not served.
            try await harness.client.send("GET / HTTP/1.1\r\n\r\nGET /after HTTP/1.1\r\nHost: x\r\n\r\n")
            let response = try await harness.client.readResponse()
            #expect(response.status == 400)
            #expect(response.closes)
            #expect(response.header("X-Request-Id")?.isEmpty == false)
            try await harness.client.expectClosed()
            #expect(harness.stats.rejections(.malformed) == 1)
        }
    }

    @Test func aResponders400AlsoClosesTheConnection() async throws {
        let responder = TestResponder { request, _ in
            request.path == "/bad" ? .error(.badRequest, "bad input") : .text(.ok, "fine")
        }
        try await ConnectionHarness.run(responder: responder) { harness in
            try await harness.client.send("GET /bad HTTP/1.1\r\nHost: x\r\n\r\nGET /next HTTP/1.1\r\nHost: x\r\n\r\n")
            let response = try await harness.client.readResponse()
            #expect(response.status == 400)
            #expect(response.closes)
            try await harness.client.expectClosed()
        }
    }

    @Test(arguments: [404, 405, 409, 413, 422, 503])
    func otherErrorStatusesKeepTheConnection(code: Int) async throws {
        let responder = TestResponder { request, _ in
            request.path == "/err" ? .error(HTTPStatus(code: code, reason: "Test"), "no") : .text(.ok, "fine")
        }
        try await ConnectionHarness.run(responder: responder) { harness in
            try await harness.client.send("GET /err HTTP/1.1\r\nHost: x\r\n\r\nGET /next HTTP/1.1\r\nHost: x\r\n\r\n")
            let response = try await harness.client.readResponse()
            #expect(response.status == code)
            #expect(!response.closes)
            #expect(try await harness.client.readResponse().text == "fine")
        }
    }

    @Test func theParsersOwnRejectionsCloseWithTheirStatus() async throws {
        var configuration = HTTPServerConfiguration()
        configuration.limits.maxRequestLineBytes = 64
        let cases: [(String, Int, HTTPRejection)] = [
            ("GET /\(String(repeating: "a", count: 100)) HTTP/1.1\r\nHost: x\r\n\r\n", 414, .requestLineTooLong),
            ("GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n", 501, .unsupportedTransferCoding),
            ("GET / HTTP/2.0\r\nHost: x\r\n\r\n", 505, .unsupportedVersion),
            ("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", 400, .malformed),
            ("GET / HTTP/1.1\r\nHost: user@x\r\n\r\n", 400, .malformed),
            ("GET /a#b HTTP/1.1\r\nHost: x\r\n\r\n", 400, .malformed),
            ("GET * HTTP/1.1\r\nHost: x\r\n\r\n", 400, .malformed),
            ("GET / HTTP/1.1\nHost: x\r\n\r\n", 400, .malformed),
            ("GET / HTTP/1.1\r\nHost: x\r\nExpect: gzip\r\n\r\n", 417, .expectationFailed),
        ]
        for (request, status, reason) in cases {
            try await ConnectionHarness.run(configuration: configuration) { harness in
                try await harness.client.send(request)
                let response = try await harness.client.readResponse()
                #expect(response.status == status, "\(String(reflecting: request))")
                #expect(response.closes)
                try await harness.client.expectClosed()
                #expect(harness.stats.rejections(reason) == 1, "\(reason)")
            }
        }
    }
}
