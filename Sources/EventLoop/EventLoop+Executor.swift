/// Each loop is both a `TaskExecutor` and a `SerialExecutor`: a task created with
/// `executorPreference: loop` runs its nonisolated code on the loop thread, so its
/// socket I/O needs no hop; an actor may also pin itself to a loop.
extension EventLoop: TaskExecutor, SerialExecutor {
    public func enqueue(_ job: consuming ExecutorJob) {
        enqueueJob(UnownedJob(job))
    }

    public func asUnownedSerialExecutor() -> UnownedSerialExecutor {
        UnownedSerialExecutor(ordinary: self)
    }

    public func asUnownedTaskExecutor() -> UnownedTaskExecutor {
        UnownedTaskExecutor(ordinary: self)
    }

    public func isSameExclusiveExecutionContext(other: EventLoop) -> Bool {
        other === self
    }

    public func checkIsolated() {
        precondition(inEventLoop, "expected to run on event loop \(index)")
    }
}
