/// Bearer-token check for the admin API (constant time: see ``BearerToken``).
struct AdminAuthorization: Sendable {
    private let token: [UInt8]

    /// nil when `token` is empty (the admin API then does not exist).
    init?(token: String) {
        let bytes = Array(token.utf8)
        guard !bytes.isEmpty else { return nil }
        self.token = bytes
    }

    /// The token's bytes, for the upload route's body allowance.
    var tokenBytes: [UInt8] { token }

    func allows(_ request: HTTPRequest) -> Bool {
        guard let header = request.headers["authorization"] else { return false }
        return BearerToken.matches(Array(header.utf8), token: token)
    }

    static let challenge = HTTPResponse.error(.unauthorized, "missing or invalid bearer token", headers: [("WWW-Authenticate", #"Bearer realm="barkd""#)])
}
