import CLinuxShim
import Server

/// Writes one access-log line per answered request (all, none, or one in N): request id,
/// method, path, route, status, bytes, duration and the client's address.
struct AccessLogMiddleware: HTTPMiddleware {
    let log: AccessLog
    /// Each loop formats its lines in a buffer of its own, reused: no allocation per line.
    private let scratch: LoopLocal<[UInt8]>

    init(log: AccessLog, loopCount: Int) {
        self.log = log
        scratch = LoopLocal(loopCount: loopCount) {
            var buffer: [UInt8] = []
            buffer.reserveCapacity(512)
            return buffer
        }
    }

    @inline(__always)
    func respond<Next: HTTPResponder>(to request: HTTPRequest, context: inout RequestContext, next: Next) async throws -> HTTPResponse {
        guard log.shouldLogNext() else { return try await next.respond(to: request, context: &context) }
        let began = barkd_monotonic_ns()
        let response = try await next.respond(to: request, context: &context)
        let bodyBytes = response.status.allowsBody && request.method != .head ? response.body.count : 0
        let entry = AccessLog.Entry(
            requestID: context.requestID, method: request.method, path: request.rawPath ?? Substring(request.target),
            route: context.route, status: response.status.code, bytes: bodyBytes,
            durationNanoseconds: barkd_monotonic_ns() &- began, remote: context.remote)
        scratch.withValue(loop: context.loopIndex) { log.write(entry, scratch: &$0) }
        return response
    }
}
