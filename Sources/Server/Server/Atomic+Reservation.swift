import Synchronization

extension Atomic where Value == Int {
    /// Adds `amount` unless that takes the value past `limit`; false, with nothing added,
    /// if it would. Threads reserve in parallel without a lock: of two that both saw room
    /// for the last units, the one that went past the limit takes its share back.
    func reserve(_ amount: Int, limit: Int) -> Bool {
        guard wrappingAdd(amount, ordering: .relaxed).newValue > limit else { return true }
        subtract(amount, ordering: .relaxed)
        return false
    }
}
