/// Classifies MariaDB/MySQL error numbers (server `ER_*` and client `CR_*`).
enum MariaDBErrorCode {
    /// The connection is gone or its state is unknown: close it and never reuse it.
    static let breaksConnection: Set<UInt32> = [
        1053,  // ER_SERVER_SHUTDOWN
        1152, 1153, 1154, 1155, 1156, 1157, 1158, 1159, 1160, 1161,  // ER_ABORTING_CONNECTION, ER_NET_*
        1927,  // ER_CONNECTION_KILLED
        2002,  // CR_CONNECTION_ERROR
        2003,  // CR_CONN_HOST_ERROR
        2005,  // CR_UNKNOWN_HOST
        2006,  // CR_SERVER_GONE_ERROR
        2013,  // CR_SERVER_LOST (also a read/write timeout)
        2014,  // CR_COMMANDS_OUT_OF_SYNC
        2026,  // CR_SSL_CONNECTION_ERROR
        2027,  // CR_MALFORMED_PACKET
        2048,  // CR_INVALID_CONN_HANDLE
        2055,  // CR_SERVER_LOST_EXTENDED
        4031,  // ER_CLIENT_INTERACTION_TIMEOUT
    ]

    /// Lock waits that may succeed when retried.
    static let busy: Set<UInt32> = [
        1205,  // ER_LOCK_WAIT_TIMEOUT
        1213,  // ER_LOCK_DEADLOCK
        3572,  // ER_LOCK_NOWAIT
    ]

    /// Refused values: duplicate keys, NULLs, too long, out of range, failed CHECKs.
    static let constraint: Set<UInt32> = [1048, 1062, 1264, 1366, 1406, 1451, 1452, 3819, 4025]

    static func kind(of code: UInt32) -> DatabaseError.Kind {
        if breaksConnection.contains(code) { return .broken }
        if busy.contains(code) { return .busy }
        if constraint.contains(code) { return .constraint }
        return .other
    }
}
