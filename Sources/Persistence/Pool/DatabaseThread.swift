import CLinuxShim
import DequeModule
import EventLoop
import Glibc
import Synchronization

/// One dedicated OS thread that runs the jobs of one database connection's actor: a
/// `SerialExecutor`, so every blocking C call of that connection (sqlite3_*, mysql_*)
/// happens here and its callers only suspend. It never runs on, or blocks, an event loop.
///
/// The thread sleeps on a blocking eventfd when its queue is empty; enqueuers write the
/// eventfd only when it may be asleep. ``shutdown()`` lets it finish what is queued, then
/// the thread exits and closes the eventfd itself (nobody joins it, so shutting down
/// never blocks the caller).
///
/// Thread safety: `@unchecked Sendable` because all mutable state is inside `queue` (a
/// `Mutex`); `wakeFD` is immutable and closed only by the thread when it exits, after
/// the last enqueue that could use it (enqueues after shutdown are refused).
final class DatabaseThread: SerialExecutor, @unchecked Sendable {
    private struct Queue {
        var jobs = Deque<UnownedJob>()
        var sleeping = false
        var stopping = false
        var exited = false
    }

    let name: String
    private let wakeFD: Int32
    private let queue = Mutex(Queue())
    /// The kernel thread id, for "am I on this thread" checks (0 until it has started).
    private let threadID = Atomic<Int32>(0)

    /// Starts the thread.
    init(name: String) {
        self.name = name
        let fd = barkd_eventfd_blocking()
        precondition(fd >= 0, "eventfd failed: \(errno)")
        self.wakeFD = fd
        OSThread.startDetached(name: name) { [self] in run() }
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let wake = queue.withLock { queue -> Bool in
            precondition(!queue.exited, "job enqueued on database thread \(name) after it exited")
            queue.jobs.append(job)
            if queue.sleeping {
                queue.sleeping = false
                return true
            }
            return false
        }
        if wake { _ = barkd_eventfd_write(wakeFD) }
    }

    func asUnownedSerialExecutor() -> UnownedSerialExecutor {
        UnownedSerialExecutor(ordinary: self)
    }

    func checkIsolated() {
        precondition(isCurrent, "expected to run on database thread \(name)")
    }

    /// Whether the caller runs on this thread.
    var isCurrent: Bool {
        threadID.load(ordering: .acquiring) == barkd_gettid()
    }

    /// Lets the thread run what is queued, then exit.
    func shutdown() {
        let wake = queue.withLock { queue in
            queue.stopping = true
            // Whoever clears `sleeping` owns the one wake-up write: the thread cannot exit
            // (and close the eventfd) before that write has woken it.
            defer { queue.sleeping = false }
            return queue.sleeping
        }
        if wake { _ = barkd_eventfd_write(wakeFD) }
    }

    private func run() {
        threadID.store(barkd_gettid(), ordering: .releasing)
        let executor = asUnownedSerialExecutor()
        var batch = Deque<UnownedJob>()
        while true {
            let exit = queue.withLock { queue -> Bool in
                if queue.jobs.isEmpty {
                    if queue.stopping {
                        queue.exited = true
                        return true
                    }
                    queue.sleeping = true
                    return false
                }
                swap(&batch, &queue.jobs)
                return false
            }
            if exit { break }
            if batch.isEmpty {
                // Sleep until an enqueue or shutdown writes the eventfd.
                _ = barkd_eventfd_drain(wakeFD)
                queue.withLock { $0.sleeping = false }
                continue
            }
            while let job = batch.popFirst() {
                job.runSynchronously(on: executor)
            }
        }
        close(wakeFD)
    }
}
