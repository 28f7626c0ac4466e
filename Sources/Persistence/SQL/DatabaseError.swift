/// A failure reported by a database driver, classified so that the pool knows whether the
/// connection may be reused. Messages never contain the password (drivers redact them).
struct DatabaseError: Error, Sendable, Equatable, CustomStringConvertible {
    enum Kind: Sendable, Equatable {
        /// Could not connect (refused, timed out, authentication failed).
        case connect
        /// The connection broke (server gone, lost during a query): never reuse it.
        case broken
        /// The database stayed locked by others past the busy timeout.
        case busy
        /// A constraint or value was refused.
        case constraint
        /// The schema is newer than this binary, or a migration step failed.
        case migration
        /// Anything else (SQL errors: bugs).
        case other
    }

    var kind: Kind
    /// The driver's error code (0 when not from a driver).
    var code: Int32
    var message: String

    init(_ kind: Kind, code: Int32 = 0, _ message: String) {
        self.kind = kind
        self.code = code
        self.message = message
    }

    var description: String { code == 0 ? message : "\(message) (\(code))" }

    /// Whether the connection that reported it must be closed and replaced.
    var breaksConnection: Bool { kind == .connect || kind == .broken }

    /// The error callers of ``Store`` see.
    var storeError: StoreError {
        switch kind {
        case .connect, .broken: .unavailable(description)
        case .busy: .busy
        case .constraint, .other: .rejected(description)
        case .migration: .migration(description)
        }
    }
}
