import Observability
import Persistence

/// The admin API (only registered when a token is configured): add and delete catalog
/// entries, and take the instance out of rotation by hand.
public struct AdminEndpoints: Sendable {
    let authorization: AdminAuthorization
    let picker: GifPicker
    let readiness: Readiness
    let maxUploadBytes: Int

    /// nil when `token` is empty.
    public init?(token: String, picker: GifPicker, readiness: Readiness, maxUploadBytes: Int) {
        guard let authorization = AdminAuthorization(token: token) else { return nil }
        self.authorization = authorization
        self.picker = picker
        self.readiness = readiness
        self.maxUploadBytes = maxUploadBytes
    }

    static let uploadPath = "/api/gifs"

    /// The upload route's body limit (`--max-upload`), for ``HTTPLimits/bodyAllowances``,
    /// granted only with the admin token; every other request keeps `--max-body`.
    public var uploadBodyAllowance: HTTPBodyAllowance {
        HTTPBodyAllowance(method: .post, path: Self.uploadPath, maxBodyBytes: maxUploadBytes, bearerToken: authorization.tokenBytes)
    }

    public func register(in router: inout Router) {
        router.add(.post, Self.uploadPath) { request in await self.guarded(request) { await self.add($0) } }
        router.add(.delete, "/api/gifs/{id}") { request in await self.guarded(request) { await self.delete($0) } }
        router.add(.post, "/readyz/disable") { request in
            await self.guarded(request) { _ in
                self.readiness.setDisabled(true)
                return .text(.ok, "disabled\n")
            }
        }
        router.add(.post, "/readyz/enable") { request in
            await self.guarded(request) { _ in
                self.readiness.setDisabled(false)
                return .text(.ok, "enabled\n")
            }
        }
    }

    private func guarded(_ request: HTTPRequest, _ body: (HTTPRequest) async -> HTTPResponse) async -> HTTPResponse {
        guard authorization.allows(request) else { return AdminAuthorization.challenge }
        return await body(request)
    }

    func add(_ request: HTTPRequest) async -> HTTPResponse {
        let contentType = (request.headers["content-type"] ?? "").split(separator: ";").first.map { String($0.trimmingSpaces).lowercased() } ?? ""
        let gif: NewGif
        do throws(GifSubmission.Rejection) {
            switch contentType {
            case "application/json": gif = try GifSubmission.fromJSON(request.body)
            case "image/gif": gif = try GifSubmission.fromGIF(request.body, title: request.queryParameters["title"], maxBytes: maxUploadBytes)
            default:
                throw GifSubmission.Rejection(status: .unsupportedMediaType, message: "send application/json or image/gif", field: "content-type")
            }
        } catch {
            return error.response
        }
        do {
            let added = try await picker.add(gif)
            var body = Array("{".utf8)
            JSONText.appendMember("id", integer: Int(added.id), to: &body)
            JSONText.appendMember("title", added.title, to: &body)
            JSONText.appendMember("url", DogPage.imageURL(of: added), to: &body)
            body.append(UInt8(ascii: "}"))
            return .json(.created, body, headers: [("Location", "/gifs/\(added.id)")])
        } catch {
            return StoreFailures.response(for: error)
        }
    }

    func delete(_ request: HTTPRequest) async -> HTTPResponse {
        guard let text = request.pathParameters["id"], let id = Int64(text), id > 0 else {
            return GifSubmission.Rejection(status: .notFound, message: "not found", field: "id").response
        }
        do {
            return try await picker.delete(id: id) ? HTTPResponse(status: .noContent) : .error(.notFound, "not found")
        } catch {
            return StoreFailures.response(for: error)
        }
    }
}
