import Synchronization

extension HTTPServerStats {
    /// Takes `bytes` of request-buffer budget; false, with nothing taken, when that would
    /// pass `budget`. Loops reserve in parallel: of two that both saw room for the last
    /// bytes, the one that went past the budget gives its share back.
    func reserveRequestBuffer(_ bytes: Int, budget: Int) -> Bool {
        guard requestBufferBytes.wrappingAdd(bytes, ordering: .relaxed).newValue > budget else { return true }
        requestBufferBytes.subtract(bytes, ordering: .relaxed)
        return false
    }

    /// Gives back request-buffer budget taken with ``reserveRequestBuffer(_:budget:)``.
    func releaseRequestBuffer(_ bytes: Int) {
        requestBufferBytes.subtract(bytes, ordering: .relaxed)
    }
}
