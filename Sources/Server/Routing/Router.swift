import Logging
import Observability

/// Handles one routed request; `context` carries the route, the request id and a logger
/// that names it.
public typealias HTTPHandler = @Sendable (HTTPRequest, RequestContext) async throws -> HTTPResponse

/// Maps method and path to a handler: exact segments and `{param}` segments, matched
/// segment by segment on the raw path (no regular expressions). Segments are
/// percent-decoded after splitting, so `%2F` inside a parameter stays in that parameter.
/// A route without parameters wins over one with them however the path is spelled:
/// `/gifs/random` and `/gifs/%72andom` find the same route whatever order they were added
/// in (found by the router fuzzer, Fuzz/README.md).
public struct Router: Sendable {
    struct Route: Sendable {
        var method: HTTPMethod
        var segments: [Segment]
        var template: String
        var handler: HTTPHandler
    }

    enum Segment: Sendable, Equatable {
        case literal(String)
        case parameter(String)
    }

    /// What routing found for a request.
    public enum Match: Sendable {
        case found(handler: HTTPHandler, template: String, parameters: [String: String])
        /// The path exists, but not for this method; `allowed` lists those it has.
        case methodNotAllowed(allowed: [HTTPMethod])
        case notFound
        /// A segment held a malformed percent-escape.
        case badPath
    }

    private var routes: [Route] = []
    /// The same routes in matching order: those without parameters first (as the exact
    /// lookup finds them), each group in the order added.
    private var matchOrder: [Route] = []
    private var literalRouteCount = 0
    /// Routes without parameters, by exact path: most requests are found with one hash.
    private var exactRoutes: [Substring: [Route]] = [:]

    public init() {}

    /// Adds a route. `template` is `/`-separated: literal segments, or `{name}` for a
    /// parameter. `HEAD` is answered by the `GET` route unless one is added for it.
    public mutating func add(_ method: HTTPMethod, _ template: String, _ handler: @escaping HTTPHandler) {
        let segments = Self.split(template).map { part -> Segment in
            if part.hasPrefix("{"), part.hasSuffix("}") { return .parameter(String(part.dropFirst().dropLast())) }
            return .literal(String(part))
        }
        let route = Route(method: method, segments: segments, template: template, handler: handler)
        routes.append(route)
        if !segments.contains(where: { if case .parameter = $0 { true } else { false } }) {
            exactRoutes[Substring(template), default: []].append(route)
            matchOrder.insert(route, at: literalRouteCount)
            literalRouteCount += 1
        } else {
            matchOrder.append(route)
        }
    }

    /// The templates of every route, for metrics and documentation.
    public var templates: [String] { routes.map(\.template) }

    /// Finds the handler for `method` and the raw (still percent-encoded) `path`.
    public func match(method: HTTPMethod, path: Substring) -> Match {
        if let candidates = exactRoutes[path] {
            if let route = candidates.first(where: { $0.method == method }) {
                return .found(handler: route.handler, template: route.template, parameters: [:])
            }
            if method == .head, let route = candidates.first(where: { $0.method == .get }) {
                return .found(handler: route.handler, template: route.template, parameters: [:])
            }
        }
        let parts = Self.split(path)
        var allowed: [HTTPMethod] = []
        var fallback: Route?
        var fallbackParameters: [String: String] = [:]
        for route in matchOrder where route.segments.count == parts.count {
            let parameters: [String: String]
            switch Self.bind(route.segments, to: parts) {
            case .noMatch: continue
            case .malformed: return .badPath
            case .matched(let bound): parameters = bound
            }
            if route.method == method {
                return .found(handler: route.handler, template: route.template, parameters: parameters)
            }
            if method == .head, route.method == .get, fallback == nil {
                fallback = route
                fallbackParameters = parameters
            }
            if !allowed.contains(route.method) { allowed.append(route.method) }
        }
        if let fallback {
            return .found(handler: fallback.handler, template: fallback.template, parameters: fallbackParameters)
        }
        if allowed.isEmpty { return .notFound }
        if allowed.contains(.get), !allowed.contains(.head) { allowed.insert(.head, at: allowed.firstIndex(of: .get)! + 1) }
        return .methodNotAllowed(allowed: allowed)
    }

    private enum Binding {
        case noMatch
        case malformed
        case matched([String: String])
    }

    /// Binds `parts` to `segments`: the parameters when every literal matches.
    private static func bind(_ segments: [Segment], to parts: [Substring]) -> Binding {
        var parameters: [String: String] = [:]
        for (segment, part) in zip(segments, parts) {
            switch segment {
            case .literal(let literal):
                if part.utf8.elementsEqual(literal.utf8) { continue }
                guard part.utf8.contains(UInt8(ascii: "%")), PercentEncoding.decode(part.utf8) == literal else { return .noMatch }
            case .parameter(let name):
                guard let value = PercentEncoding.decode(part.utf8) else { return .malformed }
                parameters[name] = value
            }
        }
        return .matched(parameters)
    }

    /// The route label of `OPTIONS *`, a question about the server rather than a resource.
    public static let serverWideRoute = "*"

    /// What `OPTIONS *` answers in `Allow` (RFC 9110 §9.3.7): every method some route
    /// has, HEAD wherever GET is, and OPTIONS itself.
    var serverWideMethods: [HTTPMethod] {
        var methods: [HTTPMethod] = []
        for route in routes where !methods.contains(route.method) {
            methods.append(route.method)
            if route.method == .get, !routes.contains(where: { $0.method == .head }) { methods.append(.head) }
        }
        if !methods.contains(.options) { methods.append(.options) }
        return methods
    }

    /// `/a/b` → `["a", "b"]`; `/` → `[]`; a trailing slash makes an empty last segment.
    static func split<S: StringProtocol>(_ path: S) -> [Substring] where S.SubSequence == Substring {
        var body = path[...]
        if body.first == "/" { body = body.dropFirst() }
        if body.isEmpty { return [] }
        return body.split(separator: "/", omittingEmptySubsequences: false)
    }
}

extension Router: HTTPResponder {
    /// Routes the request and runs its handler; sets `context.route` to the template, or
    /// to `_unmatched` (404, 405), `_invalid` (400: a target that cannot be routed) or
    /// `*` (`OPTIONS *`, answered 204 with `Allow`). A
    /// handler's ``HTTPResponseError`` is answered with its response, any other error
    /// logged and answered 500.
    ///
    /// Inlinable, and the routing itself synchronous (``route(_:context:)``): a chain of
    /// middleware that ends here compiles into one async function that awaits only the
    /// handler, instead of one more async call and executor check per request.
    @inlinable @inline(__always)
    public func respond(to request: HTTPRequest, context: inout RequestContext) async throws -> HTTPResponse {
        switch route(request, context: &context) {
        case .answered(let response):
            return response
        case .handler(let handler, let parameters):
            // Errors become responses here, so middleware around the router (access log,
            // metrics) sees every answer.
            do {
                // A copy of the request only for a route with parameters.
                return try await handler(parameters.isEmpty ? request : request.withPathParameters(parameters), context)
            } catch {
                return .answering(error, context: context)
            }
        }
    }

    /// What routing decided: an answer already (404, 405, 400), or the handler to run
    /// with the path's parameters.
    public enum Routed: Sendable {
        case answered(HTTPResponse)
        case handler(HTTPHandler, parameters: [String: String])
    }

    /// Finds the request's route and sets `context.route`.
    public func route(_ request: HTTPRequest, context: inout RequestContext) -> Routed {
        if request.target == "*" {
            // Only OPTIONS reaches here with `*` (the parser refuses any other method).
            context.route = Self.serverWideRoute
            return .answered(HTTPResponse(status: .noContent, headers: [("Allow", serverWideMethods.map(\.description).joined(separator: ", "))]))
        }
        guard let rawPath = request.rawPath else {
            context.route = "_invalid"
            context.stats?.recordRejection(.invalidTarget)
            return .answered(.error(.badRequest, "invalid request target"))
        }
        switch match(method: request.method, path: rawPath) {
        case .notFound:
            context.route = "_unmatched"
            return .answered(.error(.notFound, "not found"))
        case .badPath:
            context.route = "_invalid"
            context.stats?.recordRejection(.invalidTarget)
            return .answered(.error(.badRequest, "invalid percent-encoding in path"))
        case .methodNotAllowed(let allowed):
            context.route = "_unmatched"
            return .answered(.error(.methodNotAllowed, "method not allowed", headers: [("Allow", allowed.map(\.description).joined(separator: ", "))]))
        case .found(let handler, let template, let parameters):
            context.route = template
            return .handler(handler, parameters: parameters)
        }
    }
}

extension Router {
    /// Adds the routes `build` adds, each behind `middleware`: what applies to a set of
    /// routes only, such as the admin API's authorization.
    public mutating func group(_ middleware: some HTTPMiddleware, _ build: (inout RouteGroup) -> Void) {
        var group = RouteGroup()
        build(&group)
        for route in group.routes {
            let handler = route.handler
            add(route.method, route.template) { request, context in
                var context = context
                return try await middleware.respond(to: request, context: &context, next: HandlerResponder(handler: handler))
            }
        }
    }
}

/// Routes collected by ``Router/group(_:_:)``.
public struct RouteGroup {
    fileprivate var routes: [(method: HTTPMethod, template: String, handler: HTTPHandler)] = []

    /// Adds a route to the group (see ``Router/add(_:_:_:)``).
    public mutating func add(_ method: HTTPMethod, _ template: String, _ handler: @escaping HTTPHandler) {
        routes.append((method, template, handler))
    }
}

/// A route's handler as the responder at the end of its group's middleware.
private struct HandlerResponder: HTTPResponder {
    let handler: HTTPHandler

    func respond(to request: HTTPRequest, context: inout RequestContext) async throws -> HTTPResponse {
        try await handler(request, context)
    }
}
