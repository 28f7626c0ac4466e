import Synchronization

/// Whether this instance should receive traffic, and why not.
///
/// `/readyz` reads it on every probe; the systemd notifier waits on it before `READY=1`.
/// Starting → ready (once every start-up check passed) → draining (on SIGTERM, for
/// good). An operator may also take a ready instance out by hand.
public final class Readiness: Sendable {
    public enum State: Sendable, Equatable {
        case starting(String)
        case ready
        case disabled
        case draining
    }

    private struct Storage {
        var state: State = .starting("starting")
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let storage = Mutex(Storage())

    public init() {}

    /// The current state.
    public var state: State { storage.withLock { $0.state } }

    /// Ready to serve: 200 on `/readyz`.
    public var isReady: Bool { state == .ready }

    /// A short reason for the current state, for `/readyz` and logs.
    public var reason: String {
        switch state {
        case .starting(let step): step
        case .ready: "ready"
        case .disabled: "disabled by operator"
        case .draining: "draining: shutting down"
        }
    }

    /// Records progress while starting (ignored once ready or draining).
    public func starting(_ step: String) {
        storage.withLock { storage in
            if case .starting = storage.state { storage.state = .starting(step) }
        }
    }

    /// Marks the instance ready (unless it is already draining) and wakes waiters.
    public func markReady() {
        let waiters = storage.withLock { storage -> [CheckedContinuation<Void, Never>] in
            if storage.state == .draining { return [] }
            storage.state = .ready
            defer { storage.waiters.removeAll() }
            return storage.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Takes a ready instance out of rotation (or back in with `false`).
    public func setDisabled(_ disabled: Bool) {
        storage.withLock { storage in
            if disabled, storage.state == .ready { storage.state = .disabled }
            if !disabled, storage.state == .disabled { storage.state = .ready }
        }
    }

    /// Marks the instance as shutting down, for good; wakes waiters.
    public func beginDraining() {
        let waiters = storage.withLock { storage -> [CheckedContinuation<Void, Never>] in
            storage.state = .draining
            defer { storage.waiters.removeAll() }
            return storage.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Returns once the instance became ready or started draining.
    public func waitUntilReadyOrDraining() async {
        await withCheckedContinuation { continuation in
            let resumeNow = storage.withLock { storage -> Bool in
                if case .starting = storage.state {
                    storage.waiters.append(continuation)
                    return false
                }
                return true
            }
            if resumeNow { continuation.resume() }
        }
    }
}
