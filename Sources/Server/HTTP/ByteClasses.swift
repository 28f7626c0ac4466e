/// Byte classes of RFC 9110/9112 as lookup tables, so the parser tests a byte with one load.
enum ByteClass {
    /// tchar: `!#$%&'*+-.^_`|~`, digits and letters.
    static let token: [Bool] = (0..<256).map { byte in
        switch UInt8(byte) {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"): true
        default: "!#$%&'*+-.^_`|~".utf8.contains(UInt8(byte))
        }
    }

    /// Bytes allowed inside a field value: VCHAR, obs-text, SP and HTAB (no other controls).
    static let fieldValue: [Bool] = (0..<256).map { byte in
        byte == 0x09 || byte == 0x20 || (byte >= 0x21 && byte <= 0x7E) || byte >= 0x80
    }

    /// Bytes allowed in a request target: VCHAR.
    static let target: [Bool] = (0..<256).map { byte in byte >= 0x21 && byte <= 0x7E }

    @inline(__always) static func isToken(_ byte: UInt8) -> Bool { token.withUnsafeBufferPointer { $0[Int(byte)] } }
    @inline(__always) static func isFieldValue(_ byte: UInt8) -> Bool { fieldValue.withUnsafeBufferPointer { $0[Int(byte)] } }
    @inline(__always) static func isTarget(_ byte: UInt8) -> Bool { target.withUnsafeBufferPointer { $0[Int(byte)] } }

    @inline(__always) static func lowercased(_ byte: UInt8) -> UInt8 {
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
