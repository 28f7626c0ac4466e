/// Bearer-token check for the admin API, in constant time for equal-length guesses so a
/// timing difference does not reveal how much of a token was right.
struct AdminAuthorization: Sendable {
    private let token: [UInt8]

    /// nil when `token` is empty (the admin API then does not exist).
    init?(token: String) {
        let bytes = Array(token.utf8)
        guard !bytes.isEmpty else { return nil }
        self.token = bytes
    }

    func allows(_ request: HTTPRequest) -> Bool {
        guard let header = request.headers["authorization"] else { return false }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return false }
        return Self.constantTimeEqual(Array(parts[1].utf8), token)
    }

    static func constantTimeEqual(_ given: [UInt8], _ expected: [UInt8]) -> Bool {
        // The length is not secret; every byte of the expected token is compared anyway.
        var difference: UInt8 = given.count == expected.count ? 0 : 1
        for index in 0..<expected.count {
            difference |= (index < given.count ? given[index] : 0) ^ expected[index]
        }
        return difference == 0
    }

    static let challenge = HTTPResponse.error(.unauthorized, "missing or invalid bearer token", headers: [("WWW-Authenticate", #"Bearer realm="barkd""#)])
}
