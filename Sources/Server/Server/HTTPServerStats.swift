import Synchronization

/// Live counters of the HTTP server, read by metrics and tests.
///
/// Counters touched per request are kept per event loop (``LoopStats``), so two loops
/// never bounce one cache line between cores; readers add them up.
public final class HTTPServerStats: Sendable {
    /// Connections open now.
    public let openConnections = Atomic<Int>(0)
    private let rejectedByReason = Mutex<[String: Int]>([:])
    let perLoop: [LoopStats]

    /// Per-loop request counters (written only by their loop's thread).
    final class LoopStats: Sendable {
        let activeRequests = Atomic<Int>(0)
        let requests = Atomic<Int>(0)
    }

    public init(loopCount: Int) {
        perLoop = (0..<max(1, loopCount)).map { _ in LoopStats() }
    }

    /// Requests being handled now.
    public var activeRequests: Int { perLoop.reduce(0) { $0 + $1.activeRequests.load(ordering: .relaxed) } }

    /// Requests answered since start.
    public var requestsServed: Int { perLoop.reduce(0) { $0 + $1.requests.load(ordering: .relaxed) } }

    /// Counts a request or connection refused by a limit, timeout or parse error.
    public func recordRejection(_ reason: String) {
        rejectedByReason.withLock { $0[reason, default: 0] += 1 }
    }

    /// Rejections so far, by reason.
    public var rejections: [String: Int] { rejectedByReason.withLock { $0 } }
}
