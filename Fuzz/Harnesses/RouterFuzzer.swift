import Observability
@testable import Server

/// The router under libFuzzer: the input is a raw (percent-encoded) request path, matched
/// for four methods against a table like the app's, plus a parameter route added before a
/// literal one on the same path. Properties: matching never traps; a path and its
/// canonical spelling (every segment decoded, then encoded again with `/` escaped) find the
/// same route with the same parameters, or the same 404/405 — the exact-path shortcut
/// and the segment-by-segment match agree, and `%61` is `a` (RFC 3986 §6.2.2.2); a
/// request target's path always starts with `/`.
@_cdecl("LLVMFuzzerTestOneInput")
public func routerFuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = fuzzInput(data, size)
    let path = String(decoding: bytes, as: UTF8.self)
    if let target = RequestTarget(path), target.path.utf8.first != UInt8(ascii: "/") {
        violated("RequestTarget's path \(target.path.debugDescription) does not start with /", input: bytes)
    }
    let parts = Router.split(path)
    let decoded = parts.map { PercentEncoding.decode($0.utf8) }
    let canonical = decoded.contains(nil) ? nil : "/" + decoded.map { PercentEncoding.encode($0!, escapingSlash: true) }.joined(separator: "/")
    for method in [HTTPMethod.get, .head, .post, .delete] {
        let match = summary(fuzzRouter.match(method: method, path: path[...]))
        guard let canonical else { continue }
        let again = summary(fuzzRouter.match(method: method, path: canonical[...]))
        if match != again {
            violated("\(method) \(path.debugDescription) → \(match), its canonical \(canonical.debugDescription) → \(again)", input: bytes)
        }
    }
    return 0
}

/// Routes like the app's (`Sources/App/Endpoints`), a non-ASCII literal, and a parameter
/// route ahead of a literal one.
let fuzzRouter: Router = {
    var router = Router()
    let handler: HTTPHandler = { _, _ in HTTPResponse(status: .ok) }
    for template in ["/", "/healthcheck", "/gifs/{id}", "/api/gifs/random", "/api/gifs", "/readyz", "/caf\u{e9}/{name}"] {
        router.add(.get, template, handler)
    }
    router.add(.post, "/api/gifs", handler)
    router.add(.delete, "/api/gifs/{id}", handler)
    router.add(.post, "/readyz/disable", handler)
    router.add(.get, "/b/{x}/c", handler)
    router.add(.get, "/b/fixed/c", handler)
    router.add(.post, "/b/fixed/c", handler)
    return router
}()

/// A ``Router/Match`` without its handler, to compare.
func summary(_ match: Router.Match) -> String {
    switch match {
    case .found(_, let template, let parameters): "found \(template) \(parameters.sorted { $0.key < $1.key })"
    case .methodNotAllowed(let allowed): "405 \(allowed)"
    case .notFound: "404"
    case .badPath: "bad path"
    }
}
