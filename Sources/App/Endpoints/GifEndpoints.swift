import Logging
import Observability
import Persistence
public import Server

/// The page and the public JSON API: `/`, `/gifs/{id}`, `/api/gifs/random`, `/api/gifs`,
/// `/api/visitors`.
public struct GifEndpoints: Sendable {
    let picker: GifPicker
    let counter: VisitorCounter

    public init(picker: GifPicker, counter: VisitorCounter) {
        self.picker = picker
        self.counter = counter
    }

    public func register(in router: inout Router) {
        router.add(.get, "/") { request, _ in await self.page(countingView: request.method != .head) }
        router.add(.get, GifSummary.route) { request, context in try await self.image(request, logger: context.logger) }
        router.add(.get, "/api/gifs/random") { _, _ in await self.randomGif() }
        router.add(.get, "/api/gifs") { request, _ in await self.list(request) }
        router.add(.get, "/api/visitors") { _, _ in await self.visitors() }
    }

    static let pageHeaders: [(name: String, value: String)] = [
        ("Cache-Control", "no-store"),
        ("Content-Security-Policy", "default-src 'none'; img-src 'self' https:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "no-referrer"),
    ]

    /// The page; a `HEAD` (uptime monitors) shows the current number without counting.
    func page(countingView: Bool) async -> HTTPResponse {
        let gif = await picker.random()
        let visitor = countingView ? await counter.recordView() : await counter.count
        return HTTPResponse(
            status: .ok, contentType: "text/html; charset=utf-8", headers: Self.pageHeaders,
            body: DogPage.render(gif: gif, visitor: visitor)
        )
    }

    func image(_ request: HTTPRequest, logger: Logger) async throws -> HTTPResponse {
        guard let text = request.pathParameters["id"], let id = Int64(text), id > 0,
            let gif = await picker.summary(id: id)
        else { return .error(.notFound, "not found") }
        switch gif.source {
        case .external(let url):
            // The row may have been written by another tool: never let it shape the head.
            guard Self.isRedirectTarget(url) else {
                logger.error("stored GIF URL refused as a redirect target", metadata: ["gif_id": "\(id)"])
                return .error(.internalServerError, "invalid stored URL")
            }
            var response = HTTPResponse(status: .found, headers: [("Cache-Control", "public, max-age=300")])
            response.appendHeader("Location", untrustedValue: url)
            return response
        case .stored(let contentType, let sha256, _):
            let etag = "\"\(sha256)\""
            let headers: [(name: String, value: String)] = [
                ("ETag", etag), ("Cache-Control", "public, max-age=31536000, immutable"), ("X-Content-Type-Options", "nosniff"),
            ]
            if let condition = request.headers["if-none-match"], Self.matches(condition, etag: etag) {
                return HTTPResponse(status: .notModified, headers: headers)
            }
            guard let bytes = try await picker.bytes(id: id) else { return .error(.notFound, "not found") }
            return HTTPResponse(status: .ok, contentType: contentType, headers: headers, body: bytes)
        }
    }

    /// Whether a stored external URL may be sent as `Location`: the rule the admin API
    /// admits URLs by (an https URL without spaces or control characters), since a row
    /// written by another tool never passed it.
    static func isRedirectTarget(_ url: String) -> Bool {
        (try? GifSubmission.validURL(url)) != nil
    }

    /// `If-None-Match`: `*` or a list of entity tags (weak ones compare weakly, RFC 9110 §13.1.2).
    static func matches(_ condition: String, etag: String) -> Bool {
        condition.split(separator: ",").contains { candidate in
            let tag = candidate.trimmingSpaces
            return tag == "*" || tag == etag || tag == "W/" + etag
        }
    }

    func randomGif() async -> HTTPResponse {
        guard let gif = await picker.random() else { return .error(.notFound, "the catalog is empty") }
        return .json(.ok, gif.json, headers: [("Cache-Control", "no-store")])
    }

    static let maxPageSize = 100

    func list(_ request: HTTPRequest) async -> HTTPResponse {
        let query = request.queryParameters
        var limit = 20
        if let text = query["limit"] {
            guard let value = Int(text), (1...Self.maxPageSize).contains(value) else {
                return .error(.badRequest, "limit must be 1-\(Self.maxPageSize)", headers: [])
            }
            limit = value
        }
        var after: Int64 = 0
        if let text = query["after"] {
            guard let value = Int64(text), value >= 0 else { return .error(.badRequest, "after must be a non-negative id") }
            after = value
        }
        let page = await picker.catalog.gifs.lazy.filter { $0.id > after }.prefix(limit)
        var body = Array(#"{"gifs":["#.utf8)
        for gif in page {
            if body.last != UInt8(ascii: "[") { body.append(UInt8(ascii: ",")) }
            gif.appendJSON(to: &body)
        }
        body.append(UInt8(ascii: "]"))
        if page.count == limit, let last = page.last {
            JSONText.appendMember("next_after", integer: Int(last.id), to: &body)
        }
        body.append(UInt8(ascii: "}"))
        return .json(.ok, body)
    }

    func visitors() async -> HTTPResponse {
        var body = Array("{".utf8)
        JSONText.appendMember("count", integer: Int(await counter.count), to: &body)
        body.append(UInt8(ascii: "}"))
        return .json(.ok, body, headers: [("Cache-Control", "no-store")])
    }
}

extension Substring {
    /// Without leading and trailing spaces and tabs.
    var trimmingSpaces: Substring {
        var result = self
        while let first = result.first, first == " " || first == "\t" { result = result.dropFirst() }
        while let last = result.last, last == " " || last == "\t" { result = result.dropLast() }
        return result
    }
}
