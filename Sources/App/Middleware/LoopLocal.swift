import EventLoop

/// One value per event loop, for state a middleware keeps per loop so that no two loops
/// share it (a scratch buffer, a metrics table): `index` is the request's
/// ``RequestContext/loopIndex``.
///
/// `@unchecked Sendable`: each slot is read and written only by its own loop's thread —
/// requests run on the loop of their connection and pass their loop's index — so no two
/// threads touch one slot. Each slot is an object of its own and `slots` is never
/// mutated: a write to one slot is not an access to a variable the other loops use (an
/// `inout` through a shared `var` array would be, ThreadSanitizer reported it).
final class LoopLocal<Value>: @unchecked Sendable {
    private final class Slot {
        var value: Value
        init(_ value: Value) { self.value = value }
    }

    private let slots: [Slot]

    init(loopCount: Int, _ make: () -> Value) {
        slots = (0..<max(1, loopCount)).map { _ in Slot(make()) }
    }

    /// Runs `body` with the slot of loop `index` (call it on that loop only).
    func withValue<Result>(loop index: Int, _ body: (inout Value) -> Result) -> Result {
        body(&slots[index % slots.count].value)
    }
}
