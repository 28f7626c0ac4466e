public import Server

/// barkd's middleware around its router, outermost first: the request id (so what
/// follows can name it), the access log, the request metrics, then the routes.
///
/// A concrete type, not `some HTTPResponder`: the server calls it through one existential
/// call, and from here on every layer is a statically known type, so the compiler
/// specializes and inlines the chain into this one `respond`. Through the generic
/// witnesses each layer cost an async frame and an executor check: 27,400 instructions
/// per `/healthcheck` against 23,700 inlined (`Benchmarks/instructions.sh`).
public struct AppResponder: HTTPResponder {
    typealias Chain = MiddlewareResponder<
        RequestIDMiddleware, MiddlewareResponder<AccessLogMiddleware, MiddlewareResponder<RequestMetricsMiddleware, Router>>
    >

    let chain: Chain

    /// The chain for `router`; `metrics` nil records nothing (`--metrics off`).
    public init(router: Router, accessLog: AccessLog, metrics: HTTPRequestMetrics?, loopCount: Int) {
        chain = RequestIDMiddleware().wrapping(
            AccessLogMiddleware(log: accessLog, loopCount: loopCount).wrapping(
                RequestMetricsMiddleware(metrics: metrics).wrapping(router)))
    }

    @inline(__always)
    public func respond(to request: HTTPRequest, context: inout RequestContext) async throws -> HTTPResponse {
        try await chain.respond(to: request, context: &context)
    }
}
