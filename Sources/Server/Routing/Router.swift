/// Handles one routed request.
public typealias HTTPHandler = @Sendable (HTTPRequest) async throws -> HTTPResponse

/// Maps method and path to a handler: exact segments and `{param}` segments, matched
/// segment by segment on the raw path (no regular expressions). Segments are
/// percent-decoded after splitting, so `%2F` inside a parameter stays in that parameter.
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
        for route in routes where route.segments.count == parts.count {
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
                guard part.utf8.contains(UInt8(ascii: "%")), PercentDecoding.decode(part.utf8) == literal else { return .noMatch }
            case .parameter(let name):
                guard let value = PercentDecoding.decode(part.utf8) else { return .malformed }
                parameters[name] = value
            }
        }
        return .matched(parameters)
    }

    /// `/a/b` → `["a", "b"]`; `/` → `[]`; a trailing slash makes an empty last segment.
    static func split<S: StringProtocol>(_ path: S) -> [Substring] where S.SubSequence == Substring {
        var body = path[...]
        if body.first == "/" { body = body.dropFirst() }
        if body.isEmpty { return [] }
        return body.split(separator: "/", omittingEmptySubsequences: false)
    }
}
