/// HTML escaping for text and attribute values, straight into a byte buffer.
enum HTMLText {
    /// Appends `text` with `& < > " '` replaced by their character references.
    static func appendEscaped(_ text: String, to output: inout [UInt8]) {
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "&"): output += "&amp;".utf8
            case UInt8(ascii: "<"): output += "&lt;".utf8
            case UInt8(ascii: ">"): output += "&gt;".utf8
            case UInt8(ascii: "\""): output += "&quot;".utf8
            case UInt8(ascii: "'"): output += "&#39;".utf8
            default: output.append(byte)
            }
        }
    }

    /// The length of `text` once escaped, to size a buffer before ``appendEscaped(_:to:)``.
    static func escapedCount(_ text: String) -> Int {
        var count = 0
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "&"), UInt8(ascii: "'"): count += 5
            case UInt8(ascii: "<"), UInt8(ascii: ">"): count += 4
            case UInt8(ascii: "\""): count += 6
            default: count += 1
            }
        }
        return count
    }
}
