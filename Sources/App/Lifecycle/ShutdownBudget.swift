/// How `--shutdown-grace` is shared after SIGTERM, so the whole shutdown — draining
/// in-flight requests, the visitor counter's final write, the spool — ends within it
/// (the platform's SIGKILL comes after its own grace: Kubernetes' default 30 s minus the
/// preStop pause, systemd's `TimeoutStopSec`, Cloud Run's 10 s).
public struct ShutdownBudget: Sendable, Equatable {
    /// The whole budget (`--shutdown-grace`).
    public var total: Duration
    /// The final counter write's share: a quarter, at most 5 s; what is not written by
    /// then goes to the spool.
    public var finalFlush: Duration
    /// What draining requests may take: the rest, less a margin for closing up.
    public var drain: Duration

    /// The margin kept for writing the spool and closing the store.
    public static let margin = Duration.milliseconds(500)

    /// The default budget, 20 s: with a 5 s preStop pause it fits Kubernetes' default
    /// 30 s grace, and systemd's `TimeoutStopSec=30s` (`--shutdown-grace`'s default).
    public static let `default` = ShutdownBudget(total: .seconds(20))

    public init(total: Duration) {
        self.total = total
        finalFlush = min(.seconds(5), total / 4)
        drain = max(.zero, total - finalFlush - Self.margin)
    }
}
