import Synchronization

/// Request ids (`X-Request-Id`): a client's `X-Request-Id` when it is sane (1–128 of `A-Za-z0-9._:-`),
/// otherwise a new one.
///
/// A new id is 15 base-62 characters — 7 random per process (about 41 bits, so replicas
/// do not collide) and 8 from a counter — which Swift stores inline in the `String`:
/// no allocation per request.
public enum RequestID {
    private static let digits: [UInt8] = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".utf8)
    private static let prefix: UInt64 = {
        var generator = SystemRandomNumberGenerator()
        return generator.next() as UInt64
    }()
    private static let counter = Atomic<UInt64>(0)

    public static func generate() -> String {
        let sequence = counter.add(1, ordering: .relaxed).newValue
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 15) { buffer in
            var value = prefix
            for index in 0..<7 {
                buffer[index] = digits[Int(value % 62)]
                value /= 62
            }
            value = sequence
            for index in stride(from: 14, through: 7, by: -1) {
                buffer[index] = digits[Int(value % 62)]
                value /= 62
            }
            return String(decoding: buffer, as: UTF8.self)
        }
    }

    public static func isValid(_ candidate: String) -> Bool {
        let bytes = candidate.utf8
        guard (1...128).contains(bytes.count) else { return false }
        return bytes.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ":")
        }
    }
}
