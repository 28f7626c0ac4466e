/// What answers a request: the ``Router`` at the end, and every middleware chain built
/// around it (``HTTPMiddleware``). The server calls one responder per request, on the
/// event loop of the request's connection.
public protocol HTTPResponder: Sendable {
    /// The response to `request`. `context` carries what the server knows of the request
    /// and what earlier middleware set (the route, a request id).
    ///
    /// A thrown ``HTTPResponseError`` is answered with its own response; any other error
    /// is logged and answered 500.
    func respond(to request: HTTPRequest, context: inout RequestContext) async throws -> HTTPResponse
}
