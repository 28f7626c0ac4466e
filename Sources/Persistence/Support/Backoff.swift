/// How long to wait before retrying after consecutive failures: `initial`, multiplied by
/// `factor` for each further failure, at most `maximum`, optionally spread by `jitter`
/// so that replicas which failed together do not retry together. A plain value: the
/// caller counts the failures and waits. Used for database work — start-up steps, the
/// visitor counter's writes and the pool's reconnects.
public struct Backoff: Sendable, Equatable {
    /// The delay after the first failure.
    public var initial: Duration
    /// What each further failure multiplies the delay by (at least 1).
    public var factor: Double
    /// The longest delay.
    public var maximum: Duration
    /// The random share of each delay, 0 (none) to 1: a delay `d` becomes one in
    /// `d × (1 − jitter)` … `d`.
    public var jitter: Double

    public init(initial: Duration, factor: Double = 2, maximum: Duration, jitter: Double = 0) {
        self.initial = initial
        self.factor = max(1, factor)
        self.maximum = max(maximum, initial)
        self.jitter = min(max(jitter, 0), 1)
    }

    /// The delay after `failures` failures in a row (zero when there are none); `random`,
    /// in 0…1, picks the point within the jitter (1: the whole delay).
    public func delay(afterFailures failures: Int, random: Double = 1) -> Duration {
        guard failures > 0 else { return .zero }
        var delay = initial
        var further = failures - 1
        while further > 0, delay < maximum, factor > 1 {
            delay = delay * factor
            further -= 1
        }
        delay = min(delay, maximum)
        guard jitter > 0 else { return delay }
        return delay * (1 - jitter * (1 - min(max(random, 0), 1)))
    }
}
