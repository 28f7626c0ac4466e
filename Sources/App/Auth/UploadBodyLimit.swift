import Server

/// The admin upload's body limit: `POST /api/gifs` may send up to `--max-upload`, but
/// only with the admin bearer token; every other request, an anonymous upload included,
/// stays held to `--max-body` — decided when the head is complete, before any body byte
/// is buffered, so an anonymous client cannot make barkd hold more than the general limit,
/// nor be invited (`100 Continue`) to send a body it will not be allowed to store — on
/// the upload route or on any other admin route.
struct UploadBodyLimit: HTTPBodyLimit {
    var method: HTTPMethod
    /// The exact path, without a query.
    var path: String
    var maxBodyBytes: Int
    /// Only requests with `Authorization: Bearer <this>` get the larger limit.
    var bearerToken: [UInt8]
    /// The admin API's routes, the upload among them (their handlers are never called
    /// here): a request one of them would take is refused before its body without the token.
    var adminRoutes: Router

    func maxBodyBytes(
        method: HTTPMethod, target: UnsafeRawBufferPointer, field: (StaticString) -> UnsafeRawBufferPointer?, general: Int
    ) -> Int {
        guard matches(method: method, target: target), let authorization = field("authorization"),
            BearerToken.matches(authorization, token: bearerToken)
        else { return general }
        return max(maxBodyBytes, general)
    }

    /// An anonymous request to an admin route that asks to send its body
    /// (`Expect: 100-continue`) gets the admin check's 401 at once, instead of an
    /// invitation to send a body it will not be allowed to use.
    func refusalBeforeBody(method: HTTPMethod, target: UnsafeRawBufferPointer, field: (StaticString) -> UnsafeRawBufferPointer?) -> HTTPResponse? {
        guard isAdminRoute(method: method, target: target) else { return nil }
        if let authorization = field("authorization"), BearerToken.matches(authorization, token: bearerToken) { return nil }
        return AdminAuthorization.challenge
    }

    /// Whether a request with `method` and the raw request `target` is this route's.
    func matches(method: HTTPMethod, target: UnsafeRawBufferPointer) -> Bool {
        guard method == self.method else { return false }
        return Self.path(of: target).elementsEqual(path.utf8)
    }

    /// Whether the app's router would give this request to an admin route (only asked for
    /// a request that expects `100 Continue`).
    func isAdminRoute(method: HTTPMethod, target: UnsafeRawBufferPointer) -> Bool {
        let path = String(decoding: Self.path(of: target), as: UTF8.self)
        if case .found = adminRoutes.match(method: method, path: path[...]) { return true }
        return false
    }

    /// The raw target without its query.
    private static func path(of target: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        var pathEnd = 0
        while pathEnd < target.count, target[pathEnd] != UInt8(ascii: "?") { pathEnd += 1 }
        return UnsafeRawBufferPointer(rebasing: target[0..<pathEnd])
    }
}
