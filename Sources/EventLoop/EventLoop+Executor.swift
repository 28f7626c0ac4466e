/// Each loop is a `TaskExecutor`: a task created with `executorPreference: loop` runs its
/// nonisolated code on the loop thread, so its socket I/O needs no hop.
///
/// Task jobs run with only the task executor established. Had they run "isolated to" a
/// serial executor, every call into a nonisolated async function would count as an
/// executor switch and go back through the loop's queue (measured: a hop per call).
extension EventLoop: TaskExecutor {
    public func enqueue(_ job: consuming ExecutorJob) {
        enqueueJob(UnownedJob(job))
    }

    public func asUnownedTaskExecutor() -> UnownedTaskExecutor {
        UnownedTaskExecutor(ordinary: self)
    }
}
