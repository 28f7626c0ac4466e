/// A route that may receive a larger request body than ``HTTPLimits/maxBodyBytes`` (the
/// admin upload), so raising one endpoint's limit does not raise every route's.
///
/// The parser applies it when the head is complete, before any body byte is buffered:
/// a request to any other route is held to the general limit, and so is a request to
/// this route without the bearer token, when one is required (so an anonymous client
/// cannot make barkd buffer more than the general limit).
public struct HTTPBodyAllowance: Sendable, Equatable {
    public var method: HTTPMethod
    /// The exact path, without a query.
    public var path: String
    public var maxBodyBytes: Int
    /// When set, only requests with `Authorization: Bearer <this>` get the larger limit.
    public var bearerToken: [UInt8]?

    public init(method: HTTPMethod, path: String, maxBodyBytes: Int, bearerToken: [UInt8]? = nil) {
        self.method = method
        self.path = path
        self.maxBodyBytes = maxBodyBytes
        self.bearerToken = bearerToken
    }

    /// Whether the request's `Authorization` value (nil when absent) allows the larger body.
    func admits(authorization: UnsafeRawBufferPointer?) -> Bool {
        guard let bearerToken else { return true }
        guard let authorization else { return false }
        return BearerToken.matches(authorization, token: bearerToken)
    }

    /// Whether a request with `method` and the raw request `target` is this route's.
    func matches(method: HTTPMethod, target: UnsafeRawBufferPointer) -> Bool {
        guard method == self.method else { return false }
        var pathEnd = 0
        while pathEnd < target.count, target[pathEnd] != UInt8(ascii: "?") { pathEnd += 1 }
        return UnsafeRawBufferPointer(rebasing: target[0..<pathEnd]).elementsEqual(path.utf8)
    }
}

extension HTTPLimits {
    /// The body limit for a request with `method`, raw `target` and `Authorization`
    /// value (looked up only when a route with an allowance matches).
    func maxBodyBytes(method: HTTPMethod, target: UnsafeRawBufferPointer, authorization: () -> UnsafeRawBufferPointer?) -> Int {
        for allowance in bodyAllowances where allowance.matches(method: method, target: target) {
            return allowance.admits(authorization: allowance.bearerToken == nil ? nil : authorization())
                ? max(allowance.maxBodyBytes, maxBodyBytes) : maxBodyBytes
        }
        return maxBodyBytes
    }

    /// The largest body any route accepts: what a connection's read buffer must hold.
    public var largestBodyBytes: Int {
        bodyAllowances.reduce(maxBodyBytes) { max($0, $1.maxBodyBytes) }
    }
}
