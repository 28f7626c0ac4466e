import Server
import Synchronization

/// Races an operation against a deadline without waiting for the loser: the answer is
/// the operation's outcome, or nil once the deadline passed first. The operation keeps
/// running unobserved — meant for calls that may block (a database write at shutdown)
/// and whose late outcome is harmless (a visit batch is applied at most once).
public enum DeadlineRace {
    /// The outcome of `operation`, or nil when `deadline` passes first or the calling
    /// task is cancelled.
    public static func outcome<T: Sendable>(
        before deadline: ContinuousClock.Instant, of operation: @escaping @Sendable () async throws -> T
    ) async -> Result<T, any Error>? {
        let first = FirstFinisher<Result<T, any Error>?>()
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                first.start(continuation)
                Task {
                    do { first.finish(.success(try await operation())) } catch { first.finish(.failure(error)) }
                }
                Task {
                    try? await Task.sleep(until: deadline, clock: .continuous)
                    first.finish(nil)
                }
            }
        } onCancel: {
            first.finish(nil)
        }
    }
}

/// One continuation resumed by whichever racer finishes first; later ones are ignored.
/// A racer may finish before the continuation is set (a cancellation that came first).
private final class FirstFinisher<Value: Sendable>: Sendable {
    private enum State {
        case empty
        case waiting(CheckedContinuation<Value, Never>)
        case finishedEarly(Value)
        case done
    }

    private let state = Mutex<State>(.empty)

    func start(_ continuation: CheckedContinuation<Value, Never>) {
        let early = state.withLock { state -> Value? in
            guard case .finishedEarly(let value) = state else {
                state = .waiting(continuation)
                return nil
            }
            state = .done
            return value
        }
        if let early { continuation.resume(returning: early) }
    }

    func finish(_ value: Value) {
        let waiting = state.withLock { state -> CheckedContinuation<Value, Never>? in
            switch state {
            case .empty:
                state = .finishedEarly(value)
                return nil
            case .waiting(let continuation):
                state = .done
                return continuation
            case .finishedEarly, .done:
                return nil
            }
        }
        waiting?.resume(returning: value)
    }
}
