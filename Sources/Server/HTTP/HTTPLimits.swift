/// Bounds on what one request may make barkd hold or wait for. Every limit is on by
/// default and has a command-line flag.
public struct HTTPLimits: Sendable, Equatable {
    /// Longest request line, in bytes (beyond: 414).
    public var maxRequestLineBytes = 8 * 1024
    /// Longest header section (request line included), in bytes (beyond: 431).
    public var maxHeaderBytes = 32 * 1024
    /// Most header fields (trailer fields included) (beyond: 431).
    public var maxHeaderCount = 100
    /// Largest request body, in bytes (beyond: 413).
    public var maxBodyBytes = 1024 * 1024
    /// Routes allowed a larger body than `maxBodyBytes` (the admin upload).
    public var bodyAllowances: [HTTPBodyAllowance] = []
    /// Longest chunk-size line of a chunked body, extensions included (beyond: 400).
    public var maxChunkLineBytes = 4096

    public init() {}
}
