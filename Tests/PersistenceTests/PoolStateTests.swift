import Testing

@testable import Persistence

@Suite("Pool state")
struct PoolStateTests {
    @Test func lendsIdleSlotsMostRecentlyUsedFirst() {
        var state = PoolState<String>(size: 2, queueLimit: 1)
        #expect(state.tryAcquire() == 0)
        #expect(state.tryAcquire() == 1)
        #expect(state.tryAcquire() == nil)
        #expect(state.busyCount == 2)
        #expect(state.release(1) == nil)
        #expect(state.release(0) == nil)
        #expect(state.tryAcquire() == 0)
    }

    @Test func queuesInOrderUpToTheLimit() {
        var state = PoolState<String>(size: 1, queueLimit: 2)
        guard case .acquired(0) = state.acquire(id: 1, waiter: "a", now: 0) else { Issue.record("expected a slot"); return }
        guard case .enqueued = state.acquire(id: 2, waiter: "b", now: 10) else { Issue.record("expected b queued"); return }
        guard case .enqueued = state.acquire(id: 3, waiter: "c", now: 20) else { Issue.record("expected c queued"); return }
        guard case .queueFull = state.acquire(id: 4, waiter: "d", now: 30) else { Issue.record("expected full"); return }
        #expect(state.waiters.count == 2)
        let next = state.release(0)
        #expect(next?.waiter == "b" && next?.since == 10)
        #expect(state.busyCount == 1, "the slot went straight to the waiter")
        #expect(state.release(0)?.waiter == "c")
        #expect(state.release(0) == nil)
        #expect(state.busyCount == 0)
    }

    @Test func removesTimedOutOrCancelledWaiters() {
        var state = PoolState<String>(size: 1, queueLimit: 4)
        _ = state.tryAcquire()
        _ = state.acquire(id: 7, waiter: "x", now: 0)
        _ = state.acquire(id: 8, waiter: "y", now: 0)
        #expect(state.removeWaiter(id: 7)?.waiter == "x")
        #expect(state.removeWaiter(id: 7) == nil)
        #expect(state.release(0)?.waiter == "y")
    }

    @Test func oneSweepTimesOutTheOldestWaitersAndEndsWhenTheQueueIsEmpty() {
        var state = PoolState<String>(size: 1, queueLimit: 8)
        _ = state.tryAcquire()
        guard case .enqueued(startSweep: true) = state.acquire(id: 1, waiter: "a", now: 100) else {
            Issue.record("the first waiter schedules the sweep"); return
        }
        guard case .enqueued(startSweep: false) = state.acquire(id: 2, waiter: "b", now: 200) else {
            Issue.record("later waiters share it"); return
        }
        _ = state.acquire(id: 3, waiter: "c", now: 300)
        #expect(state.removeWaiters(waitingSince: 99).isEmpty)
        #expect(state.removeWaiters(waitingSince: 200).map(\.waiter) == ["a", "b"])
        #expect(state.nextSweep() == 300)
        #expect(state.sweepScheduled)
        #expect(state.release(0)?.waiter == "c")
        #expect(state.nextSweep() == nil)
        #expect(!state.sweepScheduled, "an empty queue ends the sweep")
        _ = state.tryAcquire()
        guard case .enqueued(startSweep: true) = state.acquire(id: 4, waiter: "d", now: 400) else {
            Issue.record("the next waiter schedules a new sweep"); return
        }
    }

    @Test func closeFailsWaitersAndRefusesNewCallers() {
        var state = PoolState<String>(size: 1, queueLimit: 4)
        _ = state.tryAcquire()
        _ = state.acquire(id: 1, waiter: "a", now: 0)
        #expect(state.close().map(\.waiter) == ["a"])
        #expect(state.waiters.isEmpty)
        guard case .closed = state.acquire(id: 2, waiter: "b", now: 0) else { Issue.record("expected closed"); return }
        #expect(state.release(0) == nil)
        #expect(state.tryAcquire() == nil)
    }
}

extension PoolState.Queued: Equatable where Waiter: Equatable {
    static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.id == rhs.id && lhs.waiter == rhs.waiter && lhs.since == rhs.since
    }
}

@Suite("Reconnect backoff")
struct ReconnectBackoffTests {
    @Test func connectsFreelyUntilAFailure() {
        var backoff = ReconnectBackoff(initial: .milliseconds(100), maximum: .seconds(2))
        #expect(backoff.mayConnect(now: 0) == .connect)
        #expect(backoff.mayConnect(now: 0) == .connect, "no failure yet: every slot may connect at once")
    }

    @Test func waitsExponentiallyWithJitterThenProbesOnce() {
        var backoff = ReconnectBackoff(initial: .milliseconds(100), maximum: .seconds(1))
        backoff.failed(now: 1_000, error: "refused", random: 1)
        #expect(backoff.retryAt == 1_000 + 100_000_000)
        guard case .wait(let reason) = backoff.mayConnect(now: 1_000) else { Issue.record("expected wait"); return }
        #expect(reason.contains("refused") && reason.contains("100 ms"))
        #expect(backoff.mayConnect(now: 1_000 + 100_000_000) == .connect)
        guard case .wait = backoff.mayConnect(now: 1_000 + 100_000_000) else { Issue.record("one probe at a time"); return }
        backoff.failed(now: 0, error: "refused", random: 0)
        #expect(backoff.retryAt == 100_000_000, "2nd failure: 200 ms, halved by the smallest jitter")
        backoff.failed(now: 0, error: "refused", random: 0.5)
        #expect(backoff.retryAt == 300_000_000, "3rd failure: 400 ms × 0.75")
        for _ in 0..<20 { backoff.failed(now: 0, error: "refused", random: 1) }
        #expect(backoff.retryAt == 1_000_000_000, "capped at the maximum")
        backoff.succeeded()
        #expect(backoff.failures == 0)
        #expect(backoff.mayConnect(now: 0) == .connect)
    }
}
