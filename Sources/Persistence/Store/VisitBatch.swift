/// One write of the visitor counter: `delta` (> 0) views counted by the barkd process
/// `instance`, its `sequence`-th flush (1, 2, 3, … strictly increasing per instance).
///
/// The pair (`instance`, `sequence`) makes the write idempotent: the store records, per
/// instance, the sequence of the last batch it applied, in the same transaction as the
/// `count = count + delta` update, so a retry of a batch whose outcome was unknown (the
/// connection broke after COMMIT, a timeout while the row was locked) is recognised and
/// not counted again. A process must not have two batches in flight at once, and must
/// never reuse a sequence for a different delta.
public struct VisitBatch: Sendable, Hashable {
    /// The writing process's id (1–64 characters; barkd uses 32 random lowercase hex digits).
    public var instance: String
    /// This instance's flush number, from 1, strictly increasing.
    public var sequence: Int64
    /// How many views the batch adds (at least 1).
    public var delta: Int64

    /// A batch; ``Store/applyVisits(_:)`` refuses invalid values with ``StoreError/rejected(_:)``.
    public init(instance: String, sequence: Int64, delta: Int64) {
        self.instance = instance
        self.sequence = sequence
        self.delta = delta
    }

    /// The longest instance id, in Unicode scalars (the ledger's `VARCHAR(64)`).
    public static let maximumInstanceLength = 64

    /// Why the batch cannot be written, or nil when it is valid.
    public var invalidReason: String? {
        let length = instance.unicodeScalars.count
        if length == 0 || length > Self.maximumInstanceLength {
            return "a visit batch's instance id must be 1-\(Self.maximumInstanceLength) characters, got \(length)"
        }
        if sequence < 1 { return "a visit batch's sequence must be at least 1, got \(sequence)" }
        if delta < 1 { return "a visit batch's delta must be at least 1, got \(delta)" }
        return nil
    }
}

/// What a batch write found: the stored total after it, and whether this call applied it
/// (false: an earlier attempt with the same instance and sequence already had, or a newer
/// sequence of the instance was applied since).
public struct VisitWrite: Sendable, Equatable {
    /// The stored visitor total after the call.
    public var total: Int64
    /// True when this call added the batch's delta; false when it changed nothing.
    public var appliedNow: Bool

    /// A result.
    public init(total: Int64, appliedNow: Bool) {
        self.total = total
        self.appliedNow = appliedNow
    }
}
