/// When a pool may try to connect again after failures: exponential backoff with jitter,
/// one attempt at a time once connecting has failed (a half-open circuit breaker), so a
/// dead database costs callers an immediate ``StoreError/unavailable``, not a timeout each.
struct ReconnectBackoff: Sendable {
    let initialNanoseconds: UInt64
    let maximumNanoseconds: UInt64
    /// Consecutive failed connects (0: connect freely).
    private(set) var failures = 0
    /// Monotonic nanoseconds before which nobody tries again.
    private(set) var retryAt: UInt64 = 0
    /// An attempt after failures is under way.
    private(set) var probing = false
    private(set) var lastError: String?

    init(initial: Duration, maximum: Duration) {
        self.initialNanoseconds = initial.nanoseconds
        self.maximumNanoseconds = max(maximum.nanoseconds, initial.nanoseconds)
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

    /// The delay before the next attempt after `failures` failures, before jitter.
    static func delay(failures: Int, initial: UInt64, maximum: UInt64) -> UInt64 {
        let shift = UInt64(min(max(failures - 1, 0), 40))
        let (scaled, overflow) = initial.multipliedReportingOverflow(by: 1 << shift)
        return overflow ? maximum : min(scaled, maximum)
    }

    /// Records a failed connect; `random` in 0..<1 spreads replicas apart (the delay is
    /// 50–100 % of the exponential value).
    mutating func failed(now: UInt64, error: String, random: Double) {
        failures += 1
        probing = false
        lastError = error
        let delay = Self.delay(failures: failures, initial: initialNanoseconds, maximum: maximumNanoseconds)
        let jittered = UInt64(Double(delay) * (0.5 + 0.5 * min(max(random, 0), 1)))
        retryAt = now + jittered
    }

    /// Records a successful connect.
    mutating func succeeded() {
        failures = 0
        probing = false
        retryAt = 0
        lastError = nil
    }
}

extension Duration {
    /// Whole nanoseconds (negative durations count as zero).
    var nanoseconds: UInt64 {
        let (seconds, attoseconds) = components
        guard seconds >= 0 else { return 0 }
        return UInt64(seconds) * 1_000_000_000 + UInt64(attoseconds / 1_000_000_000)
    }
}
