/// Hexadecimal digits: the value of one (percent-escapes, chunk sizes) and bytes as text
/// (digests, ids, escapes).
public enum Hex {
    /// The value of one hex digit, either case; nil for any other byte.
    @inlinable
    public static func value(of byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte &- UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte &- UInt8(ascii: "a") &+ 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte &- UInt8(ascii: "A") &+ 10
        default: nil
        }
    }

    /// The digit of `value` (its low four bits), lowercase unless `uppercase`.
    @inlinable
    public static func digit(_ value: UInt8, uppercase: Bool = false) -> UInt8 {
        let nibble = value & 0x0F
        if nibble < 10 { return nibble &+ UInt8(ascii: "0") }
        return nibble &- 10 &+ (uppercase ? UInt8(ascii: "A") : UInt8(ascii: "a"))
    }

    /// `bytes` as lowercase hex text, two digits a byte.
    public static func encode(_ bytes: some Sequence<UInt8>) -> String {
        var text: [UInt8] = []
        text.reserveCapacity(bytes.underestimatedCount * 2)
        for byte in bytes {
            text.append(digit(byte >> 4))
            text.append(digit(byte))
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// `value` as lowercase hex text of exactly `2 × its byte width` digits (big-endian).
    public static func encode<Value: FixedWidthInteger & UnsignedInteger>(_ value: Value) -> String {
        withUnsafeBytes(of: value.bigEndian) { encode($0) }
    }
}
