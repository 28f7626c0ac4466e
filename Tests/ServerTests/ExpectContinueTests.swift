import Testing

@testable import Server

/// `Expect: 100-continue`: the interim response only when the body will be read, and an
/// early final response (without it) when it will not.
@Suite("Connection: Expect 100-continue", .timeLimit(.minutes(1)))
struct ExpectContinueTests {
    /// Bodies up to 16 bytes, except `POST /upload`, which may send 64 (the per-route
    /// hook an application fills in).
    static var configuration: HTTPServerConfiguration {
        var configuration = HTTPServerConfiguration()
        configuration.limits.maxBodyBytes = 16
        configuration.limits.bodyLimit = UploadLimit()
        return configuration
    }

    /// Also: `POST /private` without `Authorization: yes` is refused (401) whatever its body.
    struct UploadLimit: HTTPBodyLimit {
        func maxBodyBytes(
            method: HTTPMethod, target: UnsafeRawBufferPointer, field: (StaticString) -> UnsafeRawBufferPointer?, general: Int
        ) -> Int {
            method == .post && target.elementsEqual("/upload".utf8) ? 64 : general
        }

        func refusalBeforeBody(method: HTTPMethod, target: UnsafeRawBufferPointer, field: (StaticString) -> UnsafeRawBufferPointer?) -> HTTPResponse? {
            guard method == .post, target.elementsEqual("/private".utf8) else { return nil }
            if let value = field("authorization"), value.elementsEqual("yes".utf8) { return nil }
            return .error(.unauthorized, "who are you")
        }
    }

    @Test func theInterimResponseComesBeforeTheBodyThenTheFinalOne() async throws {
        try await ConnectionHarness.run(configuration: Self.configuration) { harness in
            try await harness.client.send("POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n")
            let interim = try await harness.client.readResponse()
            #expect(interim.status == 100)
            #expect(interim.header("Content-Length") == nil)
            try await harness.client.send("hello")
            #expect(try await harness.client.readResponse().text == "POST /a 5")
            // The connection goes on, with no second interim response.
            try await harness.client.send("GET /b HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try await harness.client.readResponse().text == "GET /b 0")
        }
    }

    @Test func aBodyAllowedOnlyByTheRouteHookStillGetsTheInterimResponse() async throws {
        try await ConnectionHarness.run(configuration: Self.configuration) { harness in
            try await harness.client.send("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 40\r\nExpect: 100-continue\r\n\r\n")
            #expect(try await harness.client.readResponse().status == 100)
            try await harness.client.send(String(repeating: "u", count: 40))
            #expect(try await harness.client.readResponse().text == "POST /upload 40")
        }
    }

    @Test(arguments: ["POST /a", "POST /upload", "PUT /upload"])
    func aBodyTooLargeGetsAnEarlyFinalResponseWithoutTheInterimOne(requestLine: String) async throws {
        try await ConnectionHarness.run(configuration: Self.configuration) { harness in
            let length = requestLine == "POST /upload" ? 65 : 17
            try await harness.client.send("\(requestLine) HTTP/1.1\r\nHost: x\r\nContent-Length: \(length)\r\nExpect: 100-continue\r\n\r\n")
            let response = try await harness.client.readResponse()  // the first response is the final one
            #expect(response.status == 413)
            #expect(response.closes)
            #expect(response.text.contains("\"field\":\"body\""))
            try await harness.client.expectClosed()
            #expect(harness.stats.rejections(.bodyTooLarge) == 1)
        }
    }

    @Test func aRequestTheHookRefusesGetsItsFinalResponseWithoutTheInterimOne() async throws {
        try await ConnectionHarness.run(configuration: Self.configuration) { harness in
            try await harness.client.send("POST /private HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n")
            let response = try await harness.client.readResponse()  // the first response is the final one
            #expect(response.status == 401)
            #expect(response.closes)
            try await harness.client.expectClosed()
        }
    }

    @Test func aRequestTheHookAllowsIsInvited() async throws {
        try await ConnectionHarness.run(configuration: Self.configuration) { harness in
            try await harness.client.send(
                "POST /private HTTP/1.1\r\nHost: x\r\nAuthorization: yes\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n")
            #expect(try await harness.client.readResponse().status == 100)
            try await harness.client.send("hello")
            #expect(try await harness.client.readResponse().text == "POST /private 5")
        }
    }

    @Test func anHTTP10ClientIsNeverInvited() async throws {
        try await ConnectionHarness.run(configuration: Self.configuration) { harness in
            try await harness.client.send("POST /a HTTP/1.0\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\n")
            try await harness.waitUntilReading()
            #expect(harness.client.pending() == .nothing)
            try await harness.client.send("hi")
            let response = try await harness.client.readResponse()
            #expect(response.status == 200)
            #expect(response.text == "POST /a 2")
        }
    }

    @Test func noInterimResponseWhenTheBodyCameWithTheHead() async throws {
        try await ConnectionHarness.run(configuration: Self.configuration) { harness in
            try await harness.client.send("POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\nhi")
            #expect(try await harness.client.readResponse().text == "POST /a 2")
        }
    }

    @Test func noInterimResponseWithoutTheExpectation() async throws {
        try await ConnectionHarness.run(configuration: Self.configuration) { harness in
            try await harness.client.send("POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n")
            try await harness.waitUntilReading()
            #expect(harness.client.pending() == .nothing)
            try await harness.client.send("hi")
            #expect(try await harness.client.readResponse().status == 200)
        }
    }
}
