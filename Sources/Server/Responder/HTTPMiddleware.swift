/// Something that runs around the responder after it (`next`): logging, metrics, request
/// ids, authorization — what cuts across requests.
///
/// `next` is a generic responder, not a closure: a chain built with ``wrapping(_:)`` is
/// one nested value whose calls the compiler can inline, with nothing allocated per request.
public protocol HTTPMiddleware: Sendable {
    func respond<Next: HTTPResponder>(to request: HTTPRequest, context: inout RequestContext, next: Next) async throws -> HTTPResponse
}

extension HTTPMiddleware {
    /// This middleware in front of `next`.
    @inlinable
    public func wrapping<Next: HTTPResponder>(_ next: Next) -> MiddlewareResponder<Self, Next> {
        MiddlewareResponder(middleware: self, next: next)
    }
}

/// A middleware and the responder after it, as one responder.
public struct MiddlewareResponder<Middleware: HTTPMiddleware, Next: HTTPResponder>: HTTPResponder {
    public let middleware: Middleware
    public let next: Next

    @inlinable
    public init(middleware: Middleware, next: Next) {
        self.middleware = middleware
        self.next = next
    }

    @inlinable @inline(__always)
    public func respond(to request: HTTPRequest, context: inout RequestContext) async throws -> HTTPResponse {
        try await middleware.respond(to: request, context: &context, next: next)
    }
}
