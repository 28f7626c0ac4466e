import Testing

@testable import Server

@Suite("Router")
struct RouterTests {
    static func router() -> Router {
        var router = Router()
        router.add(.get, "/healthcheck") { _, _ in .text(.ok, "health") }
        router.add(.get, "/gifs/{id}") { _, _ in .text(.ok, "gif") }
        router.add(.delete, "/api/gifs/{id}") { _, _ in .text(.ok, "deleted") }
        router.add(.post, "/api/gifs") { _, _ in .text(.ok, "added") }
        router.add(.get, "/") { _, _ in .text(.ok, "page") }
        return router
    }

    @Test func matchesExactAndParameterRoutes() {
        let router = Self.router()
        guard case .found(_, let template, let parameters) = router.match(method: .get, path: "/gifs/42") else {
            Issue.record("no match")
            return
        }
        #expect(template == "/gifs/{id}")
        #expect(parameters == ["id": "42"])
        guard case .found(_, "/", _) = router.match(method: .get, path: "/") else {
            Issue.record("root not matched")
            return
        }
    }

    @Test func decodesParametersAfterSplitting() {
        guard case .found(_, _, let parameters) = Self.router().match(method: .get, path: "/gifs/a%2Fb%20c") else {
            Issue.record("no match")
            return
        }
        #expect(parameters == ["id": "a/b c"])
    }

    @Test func percentEncodedLiteralsMatch() {
        guard case .found(_, "/healthcheck", _) = Self.router().match(method: .get, path: "/health%63heck") else {
            Issue.record("no match")
            return
        }
    }

    @Test func malformedEscapesAreBadPaths() {
        guard case .badPath = Self.router().match(method: .get, path: "/gifs/%zz") else {
            Issue.record("expected badPath")
            return
        }
    }

    @Test func headFallsBackToGet() {
        guard case .found(_, "/healthcheck", _) = Self.router().match(method: .head, path: "/healthcheck") else {
            Issue.record("HEAD not routed to GET")
            return
        }
    }

    @Test func wrongMethodListsAllowed() {
        guard case .methodNotAllowed(let allowed) = Self.router().match(method: .post, path: "/healthcheck") else {
            Issue.record("expected 405")
            return
        }
        #expect(allowed == [.get, .head])
    }

    @Test func unknownPathsAndTrailingSlashesAreNotFound() {
        for path in ["/nope", "/healthcheck/", "/gifs", "/gifs/1/2", "//healthcheck"] {
            guard case .notFound = Self.router().match(method: .get, path: Substring(path)) else {
                Issue.record("\(path) matched")
                continue
            }
        }
    }

    /// Found by the router fuzzer (Fuzz/README.md): with a parameter route added before a
    /// literal one of the same shape, `/b/fixed/c` found the literal route (exact lookup)
    /// but `/b/%66ixed/c` the parameter route (segment match in the order added).
    @Test func aLiteralRouteWinsHoweverThePathIsSpelled() {
        var router = Router()
        router.add(.get, "/b/{x}/c") { _, _ in .text(.ok, "parameter") }
        router.add(.get, "/b/fixed/c") { _, _ in .text(.ok, "literal") }
        for path: Substring in ["/b/fixed/c", "/b/%66ixed/c", "/b/fixe%64/c"] {
            guard case .found(_, let template, let parameters) = router.match(method: .get, path: path) else {
                Issue.record("\(path): no match")
                continue
            }
            #expect(template == "/b/fixed/c", "\(path)")
            #expect(parameters.isEmpty, "\(path)")
        }
        guard case .found(_, "/b/{x}/c", let parameters) = router.match(method: .get, path: "/b/other/c") else {
            Issue.record("the parameter route no longer matches")
            return
        }
        #expect(parameters == ["x": "other"])
    }

    @Test func requestTargetForms() {
        #expect(RequestTarget("/a/b?x=1")?.path == "/a/b")
        #expect(RequestTarget("/a/b?x=1")?.query == "x=1")
        #expect(RequestTarget("http://example.org/a?b")?.path == "/a")
        #expect(RequestTarget("HTTPS://example.org")?.path == "/")
        #expect(RequestTarget("http://example.org?q")?.query == "q")
        #expect(RequestTarget("*") == nil)
        #expect(RequestTarget("example.org:443") == nil)
    }

    @Test func queryParameters() {
        #expect(QueryParameters.parse("limit=10&after=abc&x=a+b%21&flag") == ["limit": "10", "after": "abc", "x": "a b!", "flag": ""])
        #expect(QueryParameters.parse("bad=%zz&ok=1") == ["ok": "1"])
    }
}
