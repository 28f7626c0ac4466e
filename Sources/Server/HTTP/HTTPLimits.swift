/// Bounds on what one request may make barkd hold or wait for. Every limit is on by
/// default and has a command-line flag.
public struct HTTPLimits: Sendable {
    /// Longest request line, in bytes (beyond: 414).
    public var maxRequestLineBytes = 8 * 1024
    /// Longest header section (request line included), in bytes (beyond: 431).
    public var maxHeaderBytes = 32 * 1024
    /// Most header fields (trailer fields included) (beyond: 431).
    public var maxHeaderCount = 100
    /// Largest request body, in bytes (beyond: 413).
    public var maxBodyBytes = 1024 * 1024
    /// Decides per request when one may send more than `maxBodyBytes` (an application's
    /// authorized upload); nil: every request is held to `maxBodyBytes`.
    public var bodyLimit: (any HTTPBodyLimit)?
    /// Longest chunk-size line of a chunked body, extensions included (beyond: 400).
    public var maxChunkLineBytes = 4096

    public init() {}
}

extension HTTPLimits {
    /// The body limit for one request (see ``HTTPBodyLimit``).
    func maxBodyBytes(method: HTTPMethod, target: UnsafeRawBufferPointer, field: (StaticString) -> UnsafeRawBufferPointer?) -> Int {
        guard let bodyLimit else { return maxBodyBytes }
        return bodyLimit.maxBodyBytes(method: method, target: target, field: field, general: maxBodyBytes)
    }
}
