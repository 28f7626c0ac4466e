/// Decides how large the body of one request may be, when its head is complete and before
/// any body byte is buffered: the hook through which an application lets one route (an
/// authorized upload) receive more than ``HTTPLimits/maxBodyBytes`` while every other
/// request stays held to it.
public protocol HTTPBodyLimit: Sendable {
    /// The limit for a request with `method` and raw `target`; `field` looks up a header
    /// value by its lowercase name (raw bytes, nil when absent) only if the policy needs one. `general` is
    /// ``HTTPLimits/maxBodyBytes``.
    func maxBodyBytes(
        method: HTTPMethod, target: UnsafeRawBufferPointer, field: (StaticString) -> UnsafeRawBufferPointer?, general: Int
    ) -> Int

    /// Asked before the server invites a body with `100 Continue` (a request that sent
    /// `Expect: 100-continue` and no body yet, within its body limit): the final response
    /// the request will get whatever its body (an upload without its credentials: 401),
    /// sent instead of the invitation, after which the connection closes; nil to invite.
    /// Same arguments as ``maxBodyBytes(method:target:field:general:)``.
    func refusalBeforeBody(method: HTTPMethod, target: UnsafeRawBufferPointer, field: (StaticString) -> UnsafeRawBufferPointer?) -> HTTPResponse?
}

extension HTTPBodyLimit {
    /// Invites every body within its limit.
    public func refusalBeforeBody(method: HTTPMethod, target: UnsafeRawBufferPointer, field: (StaticString) -> UnsafeRawBufferPointer?) -> HTTPResponse? {
        nil
    }
}
