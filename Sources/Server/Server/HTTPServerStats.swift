import Synchronization

/// Live counters of the HTTP server, read by metrics and tests.
public final class HTTPServerStats: Sendable {
    /// Connections open now.
    public let openConnections = Atomic<Int>(0)
    /// Requests being handled now.
    public let activeRequests = Atomic<Int>(0)
    /// Requests answered since start.
    public let requestsServed = Atomic<Int>(0)
    private let rejectedByReason = Mutex<[String: Int]>([:])

    public init() {}

    /// Counts a request or connection refused by a limit, timeout or parse error.
    public func recordRejection(_ reason: String) {
        rejectedByReason.withLock { $0[reason, default: 0] += 1 }
    }

    /// Rejections so far, by reason.
    public var rejections: [String: Int] { rejectedByReason.withLock { $0 } }
}
