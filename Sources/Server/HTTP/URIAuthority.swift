import Observability

/// The `uri-host [ ":" port ]` grammar of a Host field value and of an absolute-form
/// target's authority (RFC 9110 §7.2, RFC 3986 §3.2.2–3.2.3), checked byte by byte.
///
/// A request whose Host names something else — userinfo, a path, a list, whitespace, an
/// unbalanced bracket, a port that is not a number up to 65535 — is refused: an
/// intermediary and barkd could each read a different host out of it. Stricter than
/// RFC 3986 in one place: a comma (a sub-delim) is refused, because a Host value with one
/// reads as a list to anything that combines field lines.
enum URIAuthority {
    /// Whether `value` is `uri-host [ ":" port ]` (an empty host is allowed: RFC 9110 §7.2
    /// has a client send an empty Host when the target has no authority).
    static func isValid(_ value: UnsafeRawBufferPointer) -> Bool {
        var index = 0
        if value.first == UInt8(ascii: "[") {
            guard let close = value.firstIndex(of: UInt8(ascii: "]")),
                isIPLiteral(UnsafeRawBufferPointer(rebasing: value[1..<close]))
            else { return false }
            index = close + 1
        } else {
            while index < value.count, value[index] != UInt8(ascii: ":") {
                if value[index] == UInt8(ascii: "%") {
                    guard index + 2 < value.count, Hex.value(of: value[index + 1]) != nil, Hex.value(of: value[index + 2]) != nil
                    else { return false }
                    index += 3
                    continue
                }
                guard ByteClass.isRegName(value[index]) else { return false }
                index += 1
            }
        }
        if index == value.count { return true }
        guard value[index] == UInt8(ascii: ":") else { return false }
        return isPort(UnsafeRawBufferPointer(rebasing: value[(index + 1)...]))
    }

    /// `*DIGIT` with a value of at most 65535 (empty: RFC 3986 allows an empty port).
    private static func isPort(_ digits: UnsafeRawBufferPointer) -> Bool {
        var port = 0
        for byte in digits {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return false }
            port = port * 10 + Int(byte - UInt8(ascii: "0"))
            if port > 65535 { return false }
        }
        return true
    }

    /// The inside of `[...]`: an IPv6 address or `v` HEXDIG "." (unreserved / sub-delims / ":").
    private static func isIPLiteral(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard let first = bytes.first else { return false }
        if first == UInt8(ascii: "v") || first == UInt8(ascii: "V") {
            var index = 1
            while index < bytes.count, Hex.value(of: bytes[index]) != nil { index += 1 }
            guard index > 1, index < bytes.count, bytes[index] == UInt8(ascii: ".") else { return false }
            let rest = bytes[(index + 1)...]
            return !rest.isEmpty && rest.allSatisfy { ($0 == UInt8(ascii: ":") || ByteClass.isRegName($0)) }
        }
        return isIPv6(bytes)
    }

    /// RFC 3986 `IPv6address`: eight 16-bit groups of 1–4 hex digits, one `::` standing
    /// for one or more zero groups, the last two groups optionally as an IPv4 address.
    static func isIPv6(_ bytes: UnsafeRawBufferPointer) -> Bool {
        let colon = UInt8(ascii: ":")
        var groups = 0
        var compressed = false
        var index = 0
        if bytes.count >= 2, bytes[0] == colon, bytes[1] == colon {
            compressed = true
            index = 2
        } else if bytes.first == colon {
            return false
        }
        while index < bytes.count {
            let start = index
            while index < bytes.count, index - start < 5, Hex.value(of: bytes[index]) != nil { index += 1 }
            if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
                guard isIPv4(UnsafeRawBufferPointer(rebasing: bytes[start...])) else { return false }
                groups += 2
                break
            }
            guard (1...4).contains(index - start) else { return false }
            groups += 1
            if index == bytes.count { break }
            guard bytes[index] == colon else { return false }
            index += 1
            if index < bytes.count, bytes[index] == colon {
                guard !compressed else { return false }
                compressed = true
                index += 1
            } else if index == bytes.count {
                return false  // a single trailing colon
            }
        }
        return compressed ? groups <= 7 : groups == 8
    }

    /// RFC 3986 `IPv4address`: four decimal octets 0–255, no leading zeros.
    static func isIPv4(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var octets = 0
        var index = 0
        while true {
            let start = index
            var value = 0
            while index < bytes.count, index - start < 4, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") {
                value = value * 10 + Int(bytes[index] - UInt8(ascii: "0"))
                index += 1
            }
            let length = index - start
            guard (1...3).contains(length), value <= 255, length == 1 || bytes[start] != UInt8(ascii: "0") else { return false }
            octets += 1
            if octets == 4 { return index == bytes.count }
            guard index < bytes.count, bytes[index] == UInt8(ascii: ".") else { return false }
            index += 1
        }
    }
}
