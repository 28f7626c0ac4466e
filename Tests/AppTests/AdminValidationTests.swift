import Persistence
import Server
import Testing

@testable import App

@Suite("Admin validation and page rendering")
struct AdminValidationTests {
    @Test func titles() throws {
        #expect(try GifSubmission.validTitle("Good dog") == "Good dog")
        // 200 grapheme clusters of two code points each: 400 code points, over the limit.
        let combined = String(repeating: "e\u{301}", count: 200)
        #expect(combined.count == 200 && combined.unicodeScalars.count == 400)
        #expect(try GifSubmission.validTitle(String(repeating: "e\u{301}", count: 100)).unicodeScalars.count == 200)
        for bad in [nil, "", "   ", String(repeating: "a", count: 201), combined, "tab\there", "nul\u{0}", "bidi\u{202E}"] {
            #expect(throws: GifSubmission.Rejection.self) { try GifSubmission.validTitle(bad) }
        }
    }

    @Test func urls() throws {
        #expect(try GifSubmission.validURL("https://example.org/dog.gif") == "https://example.org/dog.gif")
        for bad in [
            nil, "http://example.org/dog.gif", "https://", "https:///path", "javascript:alert(1)", "https://a b", "https://x/\"><script>",
            "https://example.org/" + String(repeating: "a", count: 2048),
        ] {
            #expect(throws: GifSubmission.Rejection.self) { try GifSubmission.validURL(bad) }
        }
    }

    @Test func jsonBodies() throws {
        let gif = try GifSubmission.fromJSON(Array(#"{"title":"Dog","url":"https://example.org/d.gif"}"#.utf8)[...])
        #expect(gif.content == .external(url: "https://example.org/d.gif"))
        #expect(throws: GifSubmission.Rejection(status: .badRequest, message: "body must be a JSON object with string fields title and url", field: nil)) {
            try GifSubmission.fromJSON(Array("{not json".utf8)[...])
        }
        do {
            _ = try GifSubmission.fromJSON(Array(#"{"title":"Dog","url":"ftp://x"}"#.utf8)[...])
            Issue.record("accepted ftp")
        } catch {
            #expect(error.field == "url" && error.status.code == 422)
        }
    }

    @Test func gifBodies() throws {
        var gif = Array("GIF89a".utf8) + [10, 0, 20, 0, 0, 0, 0]
        let accepted = try GifSubmission.fromGIF(gif[...], title: "tiny", maxBytes: 100)
        #expect(accepted.width == 10 && accepted.height == 20)
        gif[0] = UInt8(ascii: "P")
        do {
            _ = try GifSubmission.fromGIF(gif[...], title: "tiny", maxBytes: 100)
            Issue.record("accepted a non-GIF")
        } catch {
            #expect(error.status.code == 422 && error.field == "body")
        }
        do {
            _ = try GifSubmission.fromGIF([UInt8](repeating: 0, count: 101)[...], title: "big", maxBytes: 100)
            Issue.record("accepted an oversized body")
        } catch {
            #expect(error.status.code == 413)
        }
    }

    @Test func constantTimeComparison() {
        #expect(BearerToken.constantTimeEqual(Array("secret".utf8), Array("secret".utf8)))
        #expect(!BearerToken.constantTimeEqual(Array("secreT".utf8), Array("secret".utf8)))
        #expect(!BearerToken.constantTimeEqual(Array("secret2".utf8), Array("secret".utf8)))
        #expect(!BearerToken.constantTimeEqual([], Array("secret".utf8)))
        // A guess 256 bytes longer once slipped through a length compared modulo 256.
        let token = Array(String(repeating: "t", count: 32).utf8)
        #expect(!BearerToken.constantTimeEqual(token + [UInt8](repeating: 0, count: 256), token))
        #expect(AdminAuthorization(token: "") == nil)
    }

    @Test func aStoredURLIsARedirectTargetOnlyIfTheAdminAPIWouldAdmitIt() {
        #expect(GifEndpoints.isRedirectTarget("https://media.example/dog.gif"))
        for bad in [
            "https://x/\r\nSet-Cookie: a=1", "https://x/\n", "https://x/\u{0}", "https://x/a b", "javascript:alert(1)", "http://x/a.gif", "",
        ] {
            #expect(!GifEndpoints.isRedirectTarget(bad), "\(bad.debugDescription)")
        }
    }

    @Test func entityTagConditions() {
        #expect(GifEndpoints.matches(#""abc""#, etag: #""abc""#))
        #expect(GifEndpoints.matches(#""x", W/"abc""#, etag: #""abc""#))
        #expect(GifEndpoints.matches("*", etag: #""abc""#))
        #expect(!GifEndpoints.matches(#""abd""#, etag: #""abc""#))
    }

    @Test func pageEscapesEverything() {
        let gif = GifSummary(
            id: 3, title: #"<script>alert("x")</script>"#, source: .external(url: "https://e.org/a.gif?x=\"1\"&y=2"), width: 10, height: 20, createdAt: 0)
        let html = String(decoding: DogPage.render(gif: gif, visitor: 42), as: UTF8.self)
        #expect(!html.contains("<script>"))
        #expect(html.contains("&lt;script&gt;"))
        #expect(html.contains(#"src="https://e.org/a.gif?x=&quot;1&quot;&amp;y=2""#))
        #expect(html.contains("#42"))
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(String(decoding: DogPage.render(gif: nil, visitor: 1), as: UTF8.self).contains("catalog is empty"))
    }

    @Test func healthcheckHasTheOriginalShape() {
        let build = BuildInfo(version: "1.2.3", commit: "abc123", buildDate: "2026-01-01T00:00:00Z", swiftVersion: "6.3")
        let body = String(decoding: HealthEndpoints.encodeHealthcheck(build: build, description: "dogs \"and\" gifs"), as: UTF8.self)
        #expect(body == #"{"myapplication":[{"version":"1.2.3","description":"dogs \"and\" gifs","lastcommitsha":"abc123"}]}"#)
    }

    @Test func theUploadLimitNeedsTheBearerToken() {
        let limit = UploadBodyLimit(method: .post, path: "/api/gifs", maxBodyBytes: 20, bearerToken: Array("s3cret".utf8), adminRoutes: Router())
        func granted(_ method: HTTPMethod, _ target: String, _ authorization: String?) -> Int {
            Array(target.utf8).withUnsafeBytes { target in
                let value = Array((authorization ?? "").utf8)
                return value.withUnsafeBytes { raw in
                    limit.maxBodyBytes(method: method, target: target, field: { _ in authorization == nil ? nil : raw }, general: 10)
                }
            }
        }
        #expect(granted(.post, "/api/gifs", "Bearer s3cret") == 20)
        #expect(granted(.post, "/api/gifs?title=x", "bearer s3cret") == 20)
        #expect(granted(.post, "/api/gifs", nil) == 10)
        #expect(granted(.post, "/api/gifs", "Bearer wrong!") == 10)
        #expect(granted(.post, "/api/gifs", "Basic s3cret") == 10)
        #expect(granted(.put, "/api/gifs", "Bearer s3cret") == 10)
        #expect(granted(.post, "/api/gifs/1", "Bearer s3cret") == 10)
    }

    @Test func noAdminRouteInvitesABodyWithoutTheToken() {
        var adminRoutes = Router()
        adminRoutes.add(.post, "/api/gifs") { _, _ in HTTPResponse(status: .created) }
        adminRoutes.add(.delete, "/api/gifs/{id}") { _, _ in HTTPResponse(status: .noContent) }
        adminRoutes.add(.post, "/readyz/disable") { _, _ in HTTPResponse(status: .noContent) }
        let limit = UploadBodyLimit(method: .post, path: "/api/gifs", maxBodyBytes: 20, bearerToken: Array("s3cret".utf8), adminRoutes: adminRoutes)
        func refused(_ method: HTTPMethod, _ target: String, _ authorization: String?) -> Int? {
            Array(target.utf8).withUnsafeBytes { target in
                let value = Array((authorization ?? "").utf8)
                return value.withUnsafeBytes { raw in
                    limit.refusalBeforeBody(method: method, target: target, field: { _ in authorization == nil ? nil : raw })?.status.code
                }
            }
        }
        #expect(refused(.post, "/api/gifs?title=x", nil) == 401)
        #expect(refused(.delete, "/api/gifs/7", nil) == 401)
        #expect(refused(.post, "/readyz/disable", "Bearer wrong!") == 401)
        #expect(refused(.delete, "/api/gifs/7", "Bearer s3cret") == nil)
        #expect(refused(.post, "/readyz/disable", "Bearer s3cret") == nil)
        #expect(refused(.get, "/api/gifs", nil) == nil, "not an admin route")
        #expect(refused(.post, "/readyz", nil) == nil, "not an admin route")
    }
}
