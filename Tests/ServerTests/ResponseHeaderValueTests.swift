import TestSupport
import Testing

@testable import Server

/// Header values from data cannot inject header fields: a value the responder marks as
/// untrusted (``HTTPResponse/appendHeader(_:untrustedValue:)``) is checked before the
/// head is written; one with a control character turns the response into a logged,
/// counted 500.
@Suite("Response header values from data", .timeLimit(.minutes(1)))
struct ResponseHeaderValueTests {
    @Test func fieldValuesWithControlCharactersAreInvalid() {
        for bad in ["a\r\nSet-Cookie: x=1", "a\nb", "a\rb", "a\u{0}b", "a\u{1B}b", "a\u{7F}b", "\u{0B}"] {
            #expect(!HTTPResponse.isValidFieldValue(bad), "\(Array(bad.utf8)) accepted")
        }
        for good in ["", "https://example.com/a.gif?x=1", "a\tb", "quoted \"value\"", "caf\u{E9}"] {
            #expect(HTTPResponse.isValidFieldValue(good), "\(good) refused")
        }
    }

    static func redirect(to location: String) -> TestResponder {
        TestResponder { _, _ in
            var response = HTTPResponse(status: .found, headers: [("Cache-Control", "no-store")])
            response.appendHeader("Location", untrustedValue: location)
            return response
        }
    }

    @Test func anUntrustedValueWithCRLFIsRefusedWith500() async throws {
        let logs = CapturedLogs()
        try await ConnectionHarness.run(logger: logs.logger, responder: Self.redirect(to: "https://x/\r\nSet-Cookie: session=stolen")) { harness in
            try await harness.client.send("GET /gifs/1 HTTP/1.1\r\nHost: x\r\n\r\n")
            let answered = try await harness.client.readResponse()
            #expect(answered.status == 500)
            #expect(answered.header("Set-Cookie") == nil)
            #expect(answered.header("Location") == nil)
            #expect(!answered.text.contains("stolen"))
            #expect(harness.stats.rejections(.invalidResponseHeader) == 1)
            // Not the client's fault: the connection stays usable.
            try await harness.client.send("GET /next HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try await harness.client.readResponse().status == 500)
        }
        let logged = logs.entries("response refused: a header value holds a control character")
        #expect(logged.count == 2)
        #expect(logged.first?.metadata["headers"] == "Location")
        #expect(!logged.contains { $0.metadata.values.contains { $0.contains("stolen") } })
    }

    @Test func aValidUntrustedValueIsWritten() async throws {
        try await ConnectionHarness.run(responder: Self.redirect(to: "https://media.example/dog.gif")) { harness in
            try await harness.client.send("GET /gifs/1 HTTP/1.1\r\nHost: x\r\n\r\n")
            let answered = try await harness.client.readResponse()
            #expect(answered.status == 302)
            #expect(answered.header("Location") == "https://media.example/dog.gif")
            #expect(harness.stats.rejections(.invalidResponseHeader) == 0)
        }
    }
}
