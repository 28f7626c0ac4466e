/// Minimal JSON string writing for fixed-shape bodies and log lines, straight into bytes.
public enum JSONText {
    /// Appends `text` as a quoted JSON string (escaping quotes, backslashes and controls).
    public static func appendQuoted(_ text: some StringProtocol, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        appendEscaped(text, to: &output)
        output.append(UInt8(ascii: "\""))
    }

    /// Appends `text` JSON-escaped, without quotes.
    public static func appendEscaped(_ text: some StringProtocol, to output: inout [UInt8]) {
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): output.append(contentsOf: [0x5C, 0x22])
            case UInt8(ascii: "\\"): output.append(contentsOf: [0x5C, 0x5C])
            case 0x0A: output.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0D: output.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x09: output.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            case 0..<0x20, 0x7F:
                output.append(contentsOf: [0x5C, UInt8(ascii: "u"), 0x30, 0x30, Hex.digit(byte >> 4), Hex.digit(byte)])
            default: output.append(byte)
            }
        }
    }

    /// `text` as a quoted JSON string.
    public static func quoted(_ text: some StringProtocol) -> String {
        var bytes: [UInt8] = []
        appendQuoted(text, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends `"key":"value"` to an object being written, preceded by a comma unless it
    /// is the object's first member (the buffer then ends with `{`).
    public static func appendMember(_ key: StaticString, _ value: some StringProtocol, to output: inout [UInt8]) {
        appendKey(key, to: &output)
        appendQuoted(value, to: &output)
    }

    /// Appends `"key":<integer>` like ``appendMember(_:_:to:)-swift.method``.
    public static func appendMember(_ key: StaticString, integer value: Int, to output: inout [UInt8]) {
        appendKey(key, to: &output)
        DecimalText.append(value, to: &output)
    }

    /// Appends `,"key":` (or `"key":` after `{` or `[`).
    public static func appendKey(_ key: StaticString, to output: inout [UInt8]) {
        if let last = output.last, last != UInt8(ascii: "{"), last != UInt8(ascii: "[") {
            output.append(UInt8(ascii: ","))
        }
        output.append(UInt8(ascii: "\""))
        output.append(contentsOf: UnsafeBufferPointer(start: key.utf8Start, count: key.utf8CodeUnitCount))
        output.append(contentsOf: [UInt8(ascii: "\""), UInt8(ascii: ":")])
    }
}
