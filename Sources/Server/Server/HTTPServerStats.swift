public import Synchronization

/// Live counters of the HTTP server, read by metrics and tests.
///
/// Counters touched per request are kept per event loop (``LoopStats``), so two loops
/// never bounce one cache line between cores; readers add them up.
public final class HTTPServerStats: Sendable {
    /// Connections open now.
    public let openConnections = Atomic<Int>(0)
    /// Bytes of request buffers grown past the lent size (``ReadBufferPool/bufferSize``),
    /// held to ``HTTPServerConfiguration/requestBufferBudget``.
    public let requestBufferBytes = Atomic<Int>(0)
    /// Rejections by reason, in ``HTTPRejection/allCases`` order (rare: a lock is fine).
    private let rejected = Mutex<[Int]>(Array(repeating: 0, count: HTTPRejection.allCases.count))
    let perLoop: [LoopStats]

    /// Per-loop request counters (written only by their loop's thread).
    final class LoopStats: Sendable {
        let activeRequests = Atomic<Int>(0)
    }

    public init(loopCount: Int) {
        perLoop = (0..<max(1, loopCount)).map { _ in LoopStats() }
    }

    /// Requests being handled now.
    public var activeRequests: Int { perLoop.reduce(0) { $0 + $1.activeRequests.load(ordering: .relaxed) } }

    /// Counts a request or connection refused by a limit, timeout or parse error.
    public func recordRejection(_ reason: HTTPRejection) {
        rejected.withLock { $0[Self.index(of: reason)] += 1 }
    }

    /// Rejections so far for `reason`.
    public func rejections(_ reason: HTTPRejection) -> Int {
        rejected.withLock { $0[Self.index(of: reason)] }
    }

    private static func index(of reason: HTTPRejection) -> Int {
        HTTPRejection.allCases.firstIndex(of: reason)!
    }
}
