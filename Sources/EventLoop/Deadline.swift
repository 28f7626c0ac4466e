import CLinuxShim

/// A point on the monotonic clock, in nanoseconds. Plain integer arithmetic keeps timer
/// bookkeeping on the loop free of `ContinuousClock` conversions.
public struct Deadline: Comparable, Hashable, Sendable {
    public var nanoseconds: UInt64

    public init(nanoseconds: UInt64) { self.nanoseconds = nanoseconds }

    /// The current monotonic time.
    public static func now() -> Deadline { Deadline(nanoseconds: barkd_monotonic_ns()) }

    /// A deadline that never arrives.
    public static let distantFuture = Deadline(nanoseconds: .max)

    /// `now() + duration`, saturating.
    public static func after(_ duration: Duration) -> Deadline {
        now().advanced(by: duration)
    }

    public func advanced(by duration: Duration) -> Deadline {
        let nanos = duration.nanosecondsClamped
        let (sum, overflow) = nanoseconds.addingReportingOverflow(nanos)
        return Deadline(nanoseconds: overflow ? .max : sum)
    }

    public static func < (lhs: Deadline, rhs: Deadline) -> Bool { lhs.nanoseconds < rhs.nanoseconds }
}

extension Duration {
    /// The duration in whole nanoseconds, clamped to `0...UInt64.max`.
    public var nanosecondsClamped: UInt64 {
        let (seconds, attoseconds) = components
        if seconds < 0 { return 0 }
        let (whole, overflow) = UInt64(seconds).multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return .max }
        let (sum, overflow2) = whole.addingReportingOverflow(UInt64(attoseconds / 1_000_000_000))
        return overflow2 ? .max : sum
    }
}
