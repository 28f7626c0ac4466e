import Synchronization

extension HTTPServerStats {
    /// Takes `bytes` of request-buffer budget; false, with nothing taken, when that would
    /// pass `budget` (``Atomic/reserve(_:limit:)``).
    func reserveRequestBuffer(_ bytes: Int, budget: Int) -> Bool {
        requestBufferBytes.reserve(bytes, limit: budget)
    }

    /// Gives back request-buffer budget taken with ``reserveRequestBuffer(_:budget:)``.
    /// Nothing to give back (a buffer of the lent size) touches no shared counter: this
    /// runs after every request, on every loop.
    func releaseRequestBuffer(_ bytes: Int) {
        guard bytes != 0 else { return }
        requestBufferBytes.subtract(bytes, ordering: .relaxed)
    }
}
