import Server
import Synchronization

/// Whether this instance should receive traffic, and why not.
///
/// `/readyz` reads it on every probe; the systemd notifier waits on it before `READY=1`.
/// Ready means this instance can serve: start-up finished (listeners bound, migrations
/// applied, catalog and count loaded), every check of this instance passes (the visitor
/// counter's backlog is within its bound), not disabled by an operator, not draining. A
/// dependency every replica shares (the database) is deliberately not a check: its
/// outage would take every replica out of rotation at once.
public final class Readiness: Sendable {
    public enum State: Sendable, Equatable {
        case starting(String)
        case ready
        case failing(String)
        case disabled
        case draining
    }

    private struct Storage {
        var startingStep: String? = "starting"
        var failingChecks: [String: String] = [:]
        var disabled = false
        var draining = false
        var waiters: [CheckedContinuation<Void, Never>] = []

        var state: State {
            if draining { return .draining }
            if let step = startingStep { return .starting(step) }
            if disabled { return .disabled }
            if let (name, reason) = failingChecks.min(by: { $0.key < $1.key }) { return .failing("\(name): \(reason)") }
            return .ready
        }
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
        case .failing(let reason): reason
        case .disabled: "disabled by operator"
        case .draining: "draining: shutting down"
        }
    }

    /// Records progress while starting (ignored once started).
    public func starting(_ step: String) {
        storage.withLock { storage in
            if storage.startingStep != nil { storage.startingStep = step }
        }
    }

    /// Start-up finished; wakes those waiting for it.
    public func markReady() {
        let waiters = storage.withLock { storage -> [CheckedContinuation<Void, Never>] in
            storage.startingStep = nil
            defer { storage.waiters.removeAll() }
            return storage.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Records the outcome of a dependency check (nil reason: passing).
    public func setCheck(_ name: String, failing reason: String?) {
        storage.withLock { storage in storage.failingChecks[name] = reason }
    }

    /// Takes the instance out of rotation by hand (or back in with `false`).
    public func setDisabled(_ disabled: Bool) {
        storage.withLock { $0.disabled = disabled }
    }

    /// Marks the instance as shutting down, for good; wakes waiters.
    public func beginDraining() {
        let waiters = storage.withLock { storage -> [CheckedContinuation<Void, Never>] in
            storage.draining = true
            defer { storage.waiters.removeAll() }
            return storage.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Returns once start-up finished or draining began.
    public func waitUntilReadyOrDraining() async {
        await withCheckedContinuation { continuation in
            let resumeNow = storage.withLock { storage -> Bool in
                if storage.startingStep != nil && !storage.draining {
                    storage.waiters.append(continuation)
                    return false
                }
                return true
            }
            if resumeNow { continuation.resume() }
        }
    }
}
