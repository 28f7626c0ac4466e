import CLinuxShim
import Server

/// Records every answered request in `http_server_request_duration_seconds`, by method,
/// route and status, in the table of the request's event loop (nothing with `--metrics off`).
struct RequestMetricsMiddleware: HTTPMiddleware {
    let metrics: HTTPRequestMetrics?

    @inline(__always)
    func respond<Next: HTTPResponder>(to request: HTTPRequest, context: inout RequestContext, next: Next) async throws -> HTTPResponse {
        guard let metrics else { return try await next.respond(to: request, context: &context) }
        let began = barkd_monotonic_ns()
        let response = try await next.respond(to: request, context: &context)
        metrics.recorder(forLoop: context.loopIndex).record(
            method: request.method, route: context.route, status: Int(response.status.code), nanoseconds: barkd_monotonic_ns() &- began)
        return response
    }
}
