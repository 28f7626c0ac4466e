import Server
import Synchronization

/// A responder made of one closure: the tests' stand-in for an application.
struct TestResponder: HTTPResponder {
    let body: @Sendable (HTTPRequest, inout RequestContext) async throws -> HTTPResponse

    init(_ body: @escaping @Sendable (HTTPRequest, inout RequestContext) async throws -> HTTPResponse) {
        self.body = body
    }

    func respond(to request: HTTPRequest, context: inout RequestContext) async throws -> HTTPResponse {
        try await body(request, &context)
    }

    /// Answers every request with `<METHOD> <target> <body length>`: enough to tell
    /// responses apart and to see that a body was read whole.
    static let echo = TestResponder { request, _ in
        .text(.ok, "\(request.method) \(request.target) \(request.body.count)")
    }
}

/// An error that renders itself, as handlers throw them.
struct TeapotError: HTTPResponseError {
    var response: HTTPResponse {
        .error(HTTPStatus(code: 418, reason: "I'm a teapot"), "short and stout", headers: [("X-Kettle", "on")])
    }
}

/// An error that does not know its response: the server must answer 500 without its text.
struct SecretFailure: Error, CustomStringConvertible {
    var description: String { "password=hunter2 in the driver's words" }
}

/// Holds requests in their handler until the test releases them: an in-flight request
/// the test controls. Safe from any thread.
final class Gate: Sendable {
    private struct State {
        var entered = 0
        var released = false
        var waiting: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())

    /// How many requests reached the gate so far.
    var entered: Int { state.withLock { $0.entered } }

    /// Called by a handler: waits until ``release()`` (at once if it ran already).
    func pass() async {
        await withCheckedContinuation { continuation in
            let go = state.withLock { state -> Bool in
                state.entered += 1
                if state.released { return true }
                state.waiting.append(continuation)
                return false
            }
            if go { continuation.resume() }
        }
    }

    /// Lets every held request, and every later one, through.
    func release() {
        let waiting = state.withLock { state in
            state.released = true
            defer { state.waiting.removeAll() }
            return state.waiting
        }
        for continuation in waiting { continuation.resume() }
    }
}
