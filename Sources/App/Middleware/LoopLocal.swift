import EventLoop

/// One value per event loop, for state a middleware keeps per loop so that no two loops
/// share it (a scratch buffer, a metrics table): `index` is the request's
/// ``RequestContext/loopIndex``.
///
/// `@unchecked Sendable`: each slot is read and written only by its own loop's thread —
/// requests run on the loop of their connection and pass their loop's index — so no two
/// threads touch one slot.
final class LoopLocal<Value>: @unchecked Sendable {
    private var values: [Value]

    init(loopCount: Int, _ make: () -> Value) {
        values = (0..<max(1, loopCount)).map { _ in make() }
    }

    /// Runs `body` with the slot of loop `index` (call it on that loop only).
    func withValue<Result>(loop index: Int, _ body: (inout Value) -> Result) -> Result {
        body(&values[index % values.count])
    }
}
