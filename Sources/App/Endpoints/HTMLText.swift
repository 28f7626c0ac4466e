/// HTML escaping for text and attribute values, straight into a byte buffer.
enum HTMLText {
    /// Appends `text` with `& < > " '` replaced by their character references.
    static func appendEscaped(_ text: String, to output: inout [UInt8]) {
        for byte in text.utf8 {
            if let reference = reference(for: byte) {
                output.append(contentsOf: UnsafeBufferPointer(start: reference.utf8Start, count: reference.utf8CodeUnitCount))
            } else {
                output.append(byte)
            }
        }
    }

    /// The length of `text` once escaped, to size a buffer before ``appendEscaped(_:to:)``.
    static func escapedCount(_ text: String) -> Int {
        text.utf8.reduce(0) { $0 + (reference(for: $1)?.utf8CodeUnitCount ?? 1) }
    }

    /// The character reference that replaces `byte`, if it must be escaped.
    private static func reference(for byte: UInt8) -> StaticString? {
        switch byte {
        case UInt8(ascii: "&"): "&amp;"
        case UInt8(ascii: "<"): "&lt;"
        case UInt8(ascii: ">"): "&gt;"
        case UInt8(ascii: "\""): "&quot;"
        case UInt8(ascii: "'"): "&#39;"
        default: nil
        }
    }
}
