/// The read buffers of one event loop, lent to its connections while they read a
/// request and given back when the request is answered, so that a connection idle
/// between requests (or not yet sent its first) holds no buffer of its own: 10,000 idle
/// keep-alive connections cost no 40 MiB of empty buffers.
///
/// Every buffer lent is ``bufferSize`` bytes; a connection that needs more for one
/// request grows its own copy (charged to the server's request-buffer budget) and frees
/// it afterwards rather than give it back, so the pool never keeps a large buffer.
///
/// `@unchecked Sendable`: shared only as a reference held by its loop's
/// ``LoopConnections``; ``take()`` and ``give(_:)`` are called on that loop's thread only,
/// by the connections running there.
final class ReadBufferPool: @unchecked Sendable {
    /// The size of a lent buffer: a typical request head fits whole.
    static let bufferSize = 4 * 1024
    /// Free buffers kept for reuse; beyond, given-back buffers are freed.
    static let maxFree = 256

    private var free: [[UInt8]] = []

    init() {
        free.reserveCapacity(Self.maxFree)
    }

    /// A buffer of ``bufferSize`` bytes, reused if one is free.
    func take() -> [UInt8] {
        free.popLast() ?? [UInt8](repeating: 0, count: Self.bufferSize)
    }

    /// Takes `buffer` back (leaving it empty) if it is of the lent size and there is room.
    func give(_ buffer: inout [UInt8]) {
        if buffer.count == Self.bufferSize && free.count < Self.maxFree {
            free.append(buffer)
        }
        buffer = []
    }
}
