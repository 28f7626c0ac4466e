import Persistence
public import Server

/// The admin API (only registered when a token is configured): add and delete catalog
/// entries, and take the instance out of rotation by hand.
public struct AdminEndpoints: Sendable {
    let authorization: AdminAuthorization
    let picker: GifPicker
    let readiness: Readiness
    let maxUploadBytes: Int

    /// The largest GIF upload unless told otherwise (`--max-upload`): 5 MiB.
    public static let defaultMaxUploadBytes = 5 << 20

    /// nil when `token` is empty.
    public init?(token: String, picker: GifPicker, readiness: Readiness, maxUploadBytes: Int = defaultMaxUploadBytes) {
        guard let authorization = AdminAuthorization(token: token) else { return nil }
        self.authorization = authorization
        self.picker = picker
        self.readiness = readiness
        self.maxUploadBytes = maxUploadBytes
    }

    static let uploadPath = "/api/gifs"

    /// The upload route's body limit (`--max-upload`), for ``HTTPLimits/bodyLimit``,
    /// granted only with the admin token; every other request keeps `--max-body`. It also
    /// knows every admin route (matched by a router of their own, registered by
    /// ``register(in:)`` like the app's), so none invites a body without the token.
    public var uploadBodyLimit: any HTTPBodyLimit {
        var adminRoutes = Router()
        register(in: &adminRoutes)
        return UploadBodyLimit(
            method: .post, path: Self.uploadPath, maxBodyBytes: maxUploadBytes, bearerToken: authorization.tokenBytes, adminRoutes: adminRoutes)
    }

    /// Adds the admin routes, all behind the bearer-token check.
    public func register(in router: inout Router) {
        router.group(authorization) { admin in
            admin.add(.post, Self.uploadPath) { request, _ in try await self.add(request) }
            admin.add(.delete, "/api/gifs/{id}") { request, _ in try await self.delete(request) }
            admin.add(.post, "/readyz/disable") { _, _ in
                self.readiness.setDisabled(true)
                return .text(.ok, "disabled\n")
            }
            admin.add(.post, "/readyz/enable") { _, _ in
                self.readiness.setDisabled(false)
                return .text(.ok, "enabled\n")
            }
        }
    }

    func add(_ request: HTTPRequest) async throws -> HTTPResponse {
        let contentType = (request.headers["content-type"] ?? "").split(separator: ";").first.map { String($0.trimmingSpaces).lowercased() } ?? ""
        let gif: NewGif
        switch contentType {
        case "application/json": gif = try GifSubmission.fromJSON(request.body)
        case "image/gif": gif = try GifSubmission.fromGIF(request.body, title: request.queryParameters["title"], maxBytes: maxUploadBytes)
        default:
            throw GifSubmission.Rejection(status: .unsupportedMediaType, message: "send application/json or image/gif", field: "content-type")
        }
        let added = try await picker.add(gif)
        return .json(.created, added.json, headers: [("Location", added.path)])
    }

    func delete(_ request: HTTPRequest) async throws -> HTTPResponse {
        guard let text = request.pathParameters["id"], let id = Int64(text), id > 0 else {
            throw GifSubmission.Rejection(status: .notFound, message: "not found", field: "id")
        }
        return try await picker.delete(id: id) ? HTTPResponse(status: .noContent) : .error(.notFound, "not found")
    }
}
