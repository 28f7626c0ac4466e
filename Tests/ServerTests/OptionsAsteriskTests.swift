import Testing

@testable import Server

/// `OPTIONS *` asks about the server, not a resource (RFC 9110 §9.3.7): the router answers
/// 204 with every method it serves in `Allow`.
@Suite("Router: OPTIONS *", .timeLimit(.minutes(1)))
struct OptionsAsteriskTests {
    static var router: Router {
        var router = Router()
        router.add(.get, "/a") { _, _ in .text(.ok, "a") }
        router.add(.post, "/b") { _, _ in .text(.ok, "b") }
        router.add(.delete, "/b/{id}") { _, _ in .text(.ok, "b") }
        router.add(.get, "/c") { _, _ in .text(.ok, "c") }
        return router
    }

    @Test func theAllowListIsEveryMethodOnce() {
        #expect(Self.router.serverWideMethods == [.get, .head, .post, .delete, .options])
        #expect(Router().serverWideMethods == [.options])
    }

    @Test func optionsAsteriskGets204WithAllowAndTheConnectionGoesOn() async throws {
        try await ConnectionHarness.run(responder: Self.router) { harness in
            try await harness.client.send("OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n")
            let response = try await harness.client.readResponse()
            #expect(response.status == 204)
            #expect(response.header("Allow") == "GET, HEAD, POST, DELETE, OPTIONS")
            #expect(!response.closes)
            try await harness.client.send("GET /a HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try await harness.client.readResponse().text == "a")
        }
    }

    @Test func anotherMethodWithTheAsteriskIs400AndCloses() async throws {
        try await ConnectionHarness.run(responder: Self.router) { harness in
            try await harness.client.send("GET * HTTP/1.1\r\nHost: x\r\n\r\n")
            let response = try await harness.client.readResponse()
            #expect(response.status == 400)
            #expect(response.closes)
            try await harness.client.expectClosed()
        }
    }
}
