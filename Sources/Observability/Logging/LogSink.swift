import CLinuxShim
import EventLoop
import Glibc
public import Synchronization

/// Where log lines go: an in-memory buffer drained to a file descriptor (stdout) by a
/// dedicated writer thread.
///
/// Event-loop threads log every request; a `write(2)` to a slow pipe (journald, a full
/// container log) would block them. Here they only append under a lock and, when the
/// writer sleeps, wake it. If the buffer holds more than `capacity` bytes, new lines are
/// dropped and counted (``droppedLines``) rather than ever blocking a loop.
public final class LogSink: Sendable {
    private struct State {
        var pending: [UInt8] = []
        var writerSleeping = false
    }

    private let state = Mutex(State())
    private let wakeFD: Int32
    private let outputFD: Int32
    private let capacity: Int
    /// Lines dropped because the writer could not keep up.
    public let droppedLines = Atomic<Int>(0)

    /// How long the writer waits after a wake-up before it takes the pending lines.
    static let batchDelayNanoseconds = 2_000_000

    /// The process's standard output.
    public static let standardOutput = LogSink(fd: 1)

    /// Starts a writer thread for `fd`.
    public init(fd: Int32, capacity: Int = 8 * 1024 * 1024) {
        self.outputFD = fd
        self.capacity = capacity
        self.wakeFD = barkd_eventfd_blocking()
        OSThread.startDetached(name: "barkd-log") { [self] in self.runWriter() }
    }

    /// Appends one complete line (it must end with `\n`).
    public func write(_ line: [UInt8]) {
        write { $0.append(contentsOf: line) }
    }

    /// Appends bytes produced by `body` directly into the pending buffer (no copy).
    public func write(_ body: (inout [UInt8]) -> Void) {
        let wake = state.withLock { state -> Bool in
            if state.pending.count > capacity {
                droppedLines.add(1, ordering: .relaxed)
                return false
            }
            body(&state.pending)
            if state.writerSleeping {
                state.writerSleeping = false
                return true
            }
            return false
        }
        if wake {
            _ = barkd_eventfd_write(wakeFD)
        }
    }

    /// Waits (up to about a second) until the writer has written every pending line.
    /// Called at exit, never on a loop; the writer keeps ordering, so lines are not
    /// written twice or out of order.
    public func flush() {
        for _ in 0..<200 {
            let idle = state.withLock { $0.pending.isEmpty && $0.writerSleeping }
            if idle { return }
            _ = barkd_eventfd_write(wakeFD)
            var pause = timespec(tv_sec: 0, tv_nsec: 5_000_000)
            nanosleep(&pause, nil)
        }
    }

    private func runWriter() {
        var batch: [UInt8] = []
        while true {
            let sleep = state.withLock { state -> Bool in
                if state.pending.isEmpty {
                    state.writerSleeping = true
                    return true
                }
                swap(&batch, &state.pending)
                return false
            }
            if sleep {
                _ = barkd_eventfd_drain(wakeFD)
                // Let a burst of lines gather, so a busy server costs one wake-up and one
                // write(2) per few milliseconds rather than one per line.
                var pause = timespec(tv_sec: 0, tv_nsec: Self.batchDelayNanoseconds)
                nanosleep(&pause, nil)
                continue
            }
            writeAll(batch)
            batch.removeAll(keepingCapacity: true)
        }
    }

    private func writeAll(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = Glibc.write(outputFD, raw.baseAddress! + offset, raw.count - offset)
                if written > 0 {
                    offset += written
                } else if written < 0 && errno == EINTR {
                    continue
                } else {
                    return  // stdout closed or broken: nothing better to do with logs
                }
            }
        }
    }
}
