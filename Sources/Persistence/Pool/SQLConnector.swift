/// Opens connections for a pool: called on the connection's own database thread (it
/// blocks), once per slot and again after a connection broke.
protocol SQLConnector: Sendable {
    /// Opens a connection, or throws a ``DatabaseError`` of kind `.connect`.
    func connect() throws(DatabaseError) -> any SQLConnection
}
