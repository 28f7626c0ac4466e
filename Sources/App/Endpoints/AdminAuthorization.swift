import Server

/// The admin API's bearer-token check, as the middleware of its route group (constant
/// time: see ``BearerToken``). Without the token a request gets 401 with a
/// `WWW-Authenticate` challenge and never reaches a handler.
struct AdminAuthorization: HTTPMiddleware {
    private let token: [UInt8]

    /// nil when `token` is empty (the admin API then does not exist).
    init?(token: String) {
        let bytes = Array(token.utf8)
        guard !bytes.isEmpty else { return nil }
        self.token = bytes
    }

    /// The token's bytes, for the upload route's body limit.
    var tokenBytes: [UInt8] { token }

    func allows(_ request: HTTPRequest) -> Bool {
        guard let header = request.headers["authorization"] else { return false }
        return BearerToken.matches(Array(header.utf8), token: token)
    }

    func respond<Next: HTTPResponder>(to request: HTTPRequest, context: inout RequestContext, next: Next) async throws -> HTTPResponse {
        guard allows(request) else { return Self.challenge }
        return try await next.respond(to: request, context: &context)
    }

    static let challenge = HTTPResponse.error(.unauthorized, "missing or invalid bearer token", headers: [("WWW-Authenticate", #"Bearer realm="barkd""#)])
}
