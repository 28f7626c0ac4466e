import CLinuxShim
import Synchronization

/// Request ids: a client's `X-Request-Id` when it is sane (1–128 of `A-Za-z0-9._:-`),
/// otherwise a new one — a random per-process prefix and a counter, unique and cheap.
enum RequestID {
    private static let prefix: String = {
        var generator = SystemRandomNumberGenerator()
        let value = generator.next() as UInt64
        let text = String(value, radix: 16)
        return String(repeating: "0", count: 16 - text.count) + text
    }()
    private static let counter = Atomic<UInt64>(0)

    static func generate() -> String {
        let sequence = counter.add(1, ordering: .relaxed).newValue
        return prefix + "-" + String(sequence, radix: 16)
    }

    static func isValid(_ candidate: String) -> Bool {
        let bytes = candidate.utf8
        guard (1...128).contains(bytes.count) else { return false }
        return bytes.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ":")
        }
    }
}
