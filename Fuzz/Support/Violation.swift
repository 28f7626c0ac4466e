import Glibc

// Compiled into every fuzz harness (scripts/fuzz.sh): how a harness reports a broken property.

/// Stops the fuzzer on a broken property: prints what broke and the input (escaped) to
/// standard error, then aborts, so libFuzzer saves the input as `crash-<sha1>` and the
/// run fails like on any crash.
func violated(_ what: String, input: [UInt8]) -> Never {
    let escaped = input.map { byte -> String in
        switch byte {
        case 0x0D: return "\\r"
        case 0x0A: return "\\n"
        case 0x5C: return "\\\\"
        case 0x20...0x7E: return String(Character(Unicode.Scalar(byte)))
        default:
            let hex = Array("0123456789abcdef")
            return "\\x" + String(hex[Int(byte >> 4)]) + String(hex[Int(byte & 0xF)])
        }
    }.joined()
    let report = Array("PROPERTY VIOLATED: \(what)\ninput: \"\(escaped)\"\n".utf8)
    _ = report.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    abort()
}

/// The fuzzer's bytes as an array (libFuzzer may pass a null pointer for an empty input).
func fuzzInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> [UInt8] {
    guard let data, size > 0 else { return [] }
    return Array(UnsafeBufferPointer(start: data, count: size))
}
