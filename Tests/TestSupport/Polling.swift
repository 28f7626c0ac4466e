/// A wait in a test that ended at its deadline: the test fails with `message` instead of
/// hanging.
public struct WaitTimedOut: Error, CustomStringConvertible {
    public let message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}

/// Polls `condition` until it holds, every `interval`, and throws ``WaitTimedOut`` naming
/// `what` if it still does not hold after `timeout`: the way tests wait for something
/// that happens elsewhere (another thread, a loop, a process) without a fixed sleep.
public func waitUntil(
    _ what: @autoclosure () -> String, timeout: Duration = .seconds(5), interval: Duration = .milliseconds(2),
    _ condition: () async throws -> Bool
) async throws {
    let clock = ContinuousClock()
    let deadline = clock.now + timeout
    while try await !condition() {
        guard clock.now < deadline else { throw WaitTimedOut("\(what()): not within \(timeout)") }
        try await Task.sleep(for: interval)
    }
}
