import Glibc

/// Writes one line to stderr (unbuffered, so it is there even if the process exits next).
enum StandardError {
    static func line(_ text: String) {
        let bytes = Array((text + "\n").utf8)
        bytes.withUnsafeBytes { raw in _ = write(2, raw.baseAddress, raw.count) }
    }
}
