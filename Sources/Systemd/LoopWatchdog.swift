import CLinuxShim
public import EventLoop
import Glibc

/// Sends `WATCHDOG=1` only while every event loop keeps turning.
///
/// This thread wakes at half the watchdog interval and pings only if no loop is stuck
/// for that half interval (``EventLoop/isStuck(threshold:at:)``) — so one stuck loop stops the pings
/// and systemd restarts the process. The ping itself is a datagram sent from this
/// helper thread, keeping even that system call off the loops.
public enum LoopWatchdog {
    /// Starts the watchdog thread when systemd enabled the watchdog for this process.
    /// Returns the ping interval, or nil when the watchdog is off.
    @discardableResult
    public static func start(loops: [EventLoop], notifier: SystemdNotifier = SystemdNotifier()) -> Duration? {
        guard let interval = SystemdNotifier.watchdogInterval() else { return nil }
        let half = interval / 2
        let halfNanos = half.nanosecondsClamped
        OSThread.startDetached(name: "barkd-watchdog") {
            while true {
                let now = Deadline.now()
                if !loops.contains(where: { $0.isStuck(threshold: half, at: now) }) { notifier.watchdogPing() }
                var request = timespec(tv_sec: Int(halfNanos / 1_000_000_000), tv_nsec: Int(halfNanos % 1_000_000_000))
                var remaining = timespec()
                while nanosleep(&request, &remaining) != 0 && errno == EINTR { request = remaining }
            }
        }
        return half
    }
}
