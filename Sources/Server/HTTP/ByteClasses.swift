/// Byte classes of RFC 9110/9112 as 256-bit masks (literal constants, so testing a byte
/// is a shift and a mask with no lazy-global check).
package enum ByteClass {
    /// tchar: `!#$%&'*+-.^_`|~`, digits and letters.
    private static let token: (UInt64, UInt64, UInt64, UInt64) = (0x03FF_6CFA_0000_0000, 0x57FF_FFFF_C7FF_FFFE, 0x0000_0000_0000_0000, 0x0000_0000_0000_0000)
    /// Bytes allowed inside a field value: VCHAR, obs-text, SP and HTAB (no other controls).
    private static let fieldValue: (UInt64, UInt64, UInt64, UInt64) = (
        0xFFFF_FFFF_0000_0200, 0x7FFF_FFFF_FFFF_FFFF, 0xFFFF_FFFF_FFFF_FFFF, 0xFFFF_FFFF_FFFF_FFFF
    )
    /// Bytes allowed in a request target: VCHAR but `#` (a fragment is never sent, RFC 9112
    /// §3.2) and `\` (outside RFC 3986, read as `/` by some servers and not by others).
    private static let target: (UInt64, UInt64, UInt64, UInt64) = (0xFFFF_FFF6_0000_0000, 0x7FFF_FFFF_EFFF_FFFF, 0x0000_0000_0000_0000, 0x0000_0000_0000_0000)
    /// Bytes of a reg-name (RFC 3986 §3.2.2) but `%` and `,`: unreserved and sub-delims.
    /// The comma is a sub-delim, but a Host with one reads as a list to an intermediary.
    private static let regName: (UInt64, UInt64, UInt64, UInt64) = (0x2BFF_6FD2_0000_0000, 0x47FF_FFFE_87FF_FFFE, 0x0000_0000_0000_0000, 0x0000_0000_0000_0000)

    @inline(__always)
    private static func test(_ mask: (UInt64, UInt64, UInt64, UInt64), _ byte: UInt8) -> Bool {
        let word: UInt64
        switch byte >> 6 {
        case 0: word = mask.0
        case 1: word = mask.1
        case 2: word = mask.2
        default: word = mask.3
        }
        return word & (1 << UInt64(byte & 63)) != 0
    }

    @inline(__always) static func isToken(_ byte: UInt8) -> Bool { test(token, byte) }
    @inline(__always) static func isFieldValue(_ byte: UInt8) -> Bool { test(fieldValue, byte) }
    @inline(__always) static func isTarget(_ byte: UInt8) -> Bool { test(target, byte) }
    @inline(__always) static func isRegName(_ byte: UInt8) -> Bool { test(regName, byte) }

    @inline(__always) package static func lowercased(_ byte: UInt8) -> UInt8 {
        byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
    }

    /// Case-insensitive comparison of `bytes` with a lowercase ASCII `name`.
    static func equalsLowercase(_ bytes: UnsafeRawBufferPointer, _ name: StaticString) -> Bool {
        guard bytes.count == name.utf8CodeUnitCount else { return false }
        let expected = name.utf8Start
        for index in 0..<bytes.count where lowercased(bytes[index]) != expected[index] {
            return false
        }
        return true
    }
}
