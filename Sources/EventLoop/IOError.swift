import Glibc

/// An error from a system call, with the call's name and `errno`.
public struct IOError: Error, CustomStringConvertible, Sendable, Equatable {
    public var call: String
    public var errno: Int32

    public init(_ call: String, errno: Int32) {
        self.call = call
        self.errno = errno
    }

    /// Captures the current `errno` for `call`.
    static func current(_ call: String) -> IOError { IOError(call, errno: Glibc.errno) }

    public var description: String {
        "\(call) failed: \(String(cString: strerror(errno))) (errno \(errno))"
    }
}

/// Why an I/O wait ended without readiness.
public enum SocketWaitError: Error, Sendable, Equatable {
    /// The deadline given to the wait passed.
    case timedOut
    /// The socket was closed, or the waiter was interrupted (for example to drain idle
    /// keep-alive connections at shutdown).
    case interrupted
}
