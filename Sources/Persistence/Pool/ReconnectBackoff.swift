import EventLoop

/// When a pool may try to connect again after failures: a ``Backoff`` with jitter, one
/// attempt at a time once connecting has failed (a half-open circuit breaker), so a dead
/// database costs callers an immediate ``StoreError/unavailable``, not a timeout each.
struct ReconnectBackoff: Sendable {
    /// The delays: from `initial`, doubling up to `maximum`, each 50–100 % of that so
    /// that replicas spread apart.
    let policy: Backoff
    /// Consecutive failed connects (0: connect freely).
    private(set) var failures = 0
    /// Monotonic nanoseconds before which nobody tries again.
    private(set) var retryAt: UInt64 = 0
    /// An attempt after failures is under way.
    private(set) var probing = false
    private(set) var lastError: String?

    init(initial: Duration, maximum: Duration) {
        policy = Backoff(initial: initial, maximum: maximum, jitter: 0.5)
    }

    enum Decision: Equatable {
        case connect
        /// Not now: the reason (with the last error) for ``StoreError/unavailable``.
        case wait(String)
    }

    /// Whether a connection may be attempted now (and if so, marks it under way).
    mutating func mayConnect(now: UInt64) -> Decision {
        guard failures > 0 else { return .connect }
        let last = lastError.map { ": \($0)" } ?? ""
        if probing {
            return .wait("reconnecting\(last)")
        }
        if now < retryAt {
            let milliseconds = (retryAt - now + 999_999) / 1_000_000
            return .wait("reconnecting in \(milliseconds) ms\(last)")
        }
        probing = true
        return .connect
    }

    /// Records a failed connect; `random` in 0…1 picks the delay within the jitter.
    mutating func failed(now: UInt64, error: String, random: Double) {
        failures += 1
        probing = false
        lastError = error
        let (retryAt, overflow) = now.addingReportingOverflow(policy.delay(afterFailures: failures, random: random).nanosecondsClamped)
        self.retryAt = overflow ? .max : retryAt
    }

    /// Records a successful connect.
    mutating func succeeded() {
        failures = 0
        probing = false
        retryAt = 0
        lastError = nil
    }
}
