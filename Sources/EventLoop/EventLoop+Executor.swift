/// Each loop is a `TaskExecutor`: a task created with `executorPreference: loop` runs its
/// nonisolated code on the loop thread, so its socket I/O needs no hop.
///
/// Task jobs run with only the task executor established. Had they run "isolated to" a
/// serial executor, every call into a nonisolated async function would count as an
/// executor switch and go back through the loop's queue (measured: a hop per call).
/// Actors that want to live on a loop use its ``serialExecutor`` instead, whose jobs do
/// run isolated — both kinds share the one thread and queue.
extension EventLoop: TaskExecutor {
    public func enqueue(_ job: consuming ExecutorJob) {
        enqueueJob(UnownedJob(job), isolated: false)
    }

    public func asUnownedTaskExecutor() -> UnownedTaskExecutor {
        UnownedTaskExecutor(ordinary: self)
    }
}

/// The serial executor of one event loop, for actors pinned to that loop's thread
/// (`nonisolated var unownedExecutor: UnownedSerialExecutor { loop.serialExecutor.asUnownedSerialExecutor() }`).
public final class EventLoopSerialExecutor: SerialExecutor {
    public unowned let loop: EventLoop

    init(loop: EventLoop) {
        self.loop = loop
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        loop.enqueueJob(UnownedJob(job), isolated: true)
    }

    public func asUnownedSerialExecutor() -> UnownedSerialExecutor {
        UnownedSerialExecutor(ordinary: self)
    }

    public func isSameExclusiveExecutionContext(other: EventLoopSerialExecutor) -> Bool {
        other === self
    }

    public func checkIsolated() {
        precondition(loop.inEventLoop, "expected to run on event loop \(loop.index)")
    }
}
