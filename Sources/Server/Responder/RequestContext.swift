public import Logging

/// What a responder knows about a request besides its bytes: where it came from, the
/// route that matched it, and what middleware set for those after it.
public struct RequestContext: Sendable {
    /// The client's address (`ip:port`).
    public let remote: String
    /// The event loop serving the request (per-loop tables, such as metrics, key on it).
    public let loopIndex: Int
    /// The route template that matched (`/gifs/{id}`), `_unmatched` when none did,
    /// `_invalid` for a target that cannot be routed, or `*` for `OPTIONS *`. Set by the
    /// ``Router``.
    public var route = "_unmatched"
    /// The request's id, when middleware assigned one; the server echoes a non-empty id
    /// in `X-Request-Id`.
    public var requestID = ""
    private let baseLogger: Logger
    let stats: HTTPServerStats?

    public init(remote: String, loopIndex: Int, logger: Logger) {
        self.init(remote: remote, loopIndex: loopIndex, logger: logger, stats: nil)
    }

    init(remote: String, loopIndex: Int, logger: Logger, stats: HTTPServerStats?) {
        self.remote = remote
        self.loopIndex = loopIndex
        self.baseLogger = logger
        self.stats = stats
    }

    /// The server's logger with this request's id: built when asked for, so requests that
    /// log nothing build no metadata.
    public var logger: Logger {
        guard !requestID.isEmpty else { return baseLogger }
        var logger = baseLogger
        logger[metadataKey: "request_id"] = .string(requestID)
        return logger
    }
}
