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

    /// The largest limit this policy ever grants (a connection's buffer may grow to it).
    var largestBodyBytes: Int { get }
}
