import Server

/// Gives every request an id: a client's valid `X-Request-Id` (so a proxy's id carries
/// through), otherwise a new one. The server echoes it in the response's `X-Request-Id`,
/// the access log and every log line of the request's logger carry it.
struct RequestIDMiddleware: HTTPMiddleware {
    @inline(__always)
    func respond<Next: HTTPResponder>(to request: HTTPRequest, context: inout RequestContext, next: Next) async throws -> HTTPResponse {
        if let given = request.headers["x-request-id"], RequestID.isValid(given) {
            context.requestID = given
        } else {
            context.requestID = RequestID.generate()
        }
        return try await next.respond(to: request, context: &context)
    }
}
