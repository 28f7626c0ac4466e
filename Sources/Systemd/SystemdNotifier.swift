import CSystemd
import Glibc

/// Tells the service manager about the service's state through `sd_notify(3)`
/// (`READY=1`, `STATUS=…`, `STOPPING=1`, `WATCHDOG=1`). Every call is a no-op when
/// `NOTIFY_SOCKET` is unset, so barkd behaves the same outside systemd.
public struct SystemdNotifier: Sendable {
    public init() {}

    /// True when the service manager asked for notifications.
    public var isEnabled: Bool { getenv("NOTIFY_SOCKET") != nil }

    /// Sends `READY=1` with a status line.
    public func ready(status: String) { send("READY=1\nSTATUS=\(status)") }

    /// Sends a status line.
    public func status(_ status: String) { send("STATUS=\(status)") }

    /// Sends `STOPPING=1` with a status line.
    public func stopping(status: String) { send("STOPPING=1\nSTATUS=\(status)") }

    /// Sends one watchdog keep-alive.
    public func watchdogPing() { send("WATCHDOG=1") }

    private func send(_ state: String) {
        guard isEnabled else { return }
        _ = sd_notify(0, state)
    }

    /// The watchdog interval systemd expects pings within (`WATCHDOG_USEC`), if enabled
    /// for this process.
    public static func watchdogInterval() -> Duration? {
        var usec: UInt64 = 0
        guard sd_watchdog_enabled(0, &usec) > 0, usec > 0 else { return nil }
        return .microseconds(Int64(clamping: usec))
    }
}
