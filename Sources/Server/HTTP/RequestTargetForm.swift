/// The request-target rules beyond its bytes (RFC 9112 §3.2), checked once the request
/// line is complete. Bytes are checked while the line is read (``ByteClass/isTarget(_:)``:
/// no control, space, `#` or `\`); this adds the forms:
/// - origin-form (`/path?query`): nothing more to check (the hot path returns at once);
/// - asterisk-form (`*`): only with OPTIONS (§3.2.4);
/// - absolute-form (`scheme://authority/...`): the authority must be a valid
///   `uri-host [ ":" port ]` with a non-empty host and no userinfo, the same rule as the
///   Host field (``URIAuthority``).
/// Other targets (authority-form, a relative path) pass here and are left to the router,
/// which does not serve them.
enum RequestTargetForm {
    /// Why `target` cannot be the target of a `method` request, or nil.
    static func error(method: HTTPMethod, target: UnsafeRawBufferPointer) -> HTTPParseError? {
        guard let first = target.first, first != UInt8(ascii: "/") else { return nil }
        if target.count == 1, first == UInt8(ascii: "*") { return method == .options ? nil : .invalidTarget }
        guard let authorityStart = absoluteFormAuthorityStart(target) else { return nil }
        var authorityEnd = authorityStart
        while authorityEnd < target.count, target[authorityEnd] != UInt8(ascii: "/"), target[authorityEnd] != UInt8(ascii: "?") {
            authorityEnd += 1
        }
        let authority = UnsafeRawBufferPointer(rebasing: target[authorityStart..<authorityEnd])
        guard let hostFirst = authority.first, hostFirst != UInt8(ascii: ":"), URIAuthority.isValid(authority) else { return .invalidTarget }
        return nil
    }

    /// The offset after `scheme "://"` when `target` starts with one (RFC 3986 §3.1:
    /// ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )), else nil.
    private static func absoluteFormAuthorityStart(_ target: UnsafeRawBufferPointer) -> Int? {
        guard let first = target.first, isAlpha(first) else { return nil }
        var index = 1
        while index < target.count {
            let byte = target[index]
            guard
                isAlpha(byte) || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "+")
                    || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
            else { break }
            index += 1
        }
        guard index + 3 <= target.count, target[index] == UInt8(ascii: ":"),
            target[index + 1] == UInt8(ascii: "/"), target[index + 2] == UInt8(ascii: "/")
        else { return nil }
        return index + 3
    }

    @inline(__always) private static func isAlpha(_ byte: UInt8) -> Bool {
        let lower = byte | 0x20
        return lower >= UInt8(ascii: "a") && lower <= UInt8(ascii: "z")
    }
}
