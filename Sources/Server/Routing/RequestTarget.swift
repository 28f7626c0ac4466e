/// The path and query of a request target (RFC 9112 §3.2): origin-form (`/p?q`) or
/// absolute-form (`http://host/p?q`). Other forms are not served. Works on UTF-8 code
/// units: no grapheme breaking on the hot path.
struct RequestTarget {
    var path: Substring
    var query: Substring?

    init?(_ target: String) {
        let bytes = target.utf8
        var pathStart = bytes.startIndex
        if bytes.first != UInt8(ascii: "/") {
            guard let schemeEnd = Self.absoluteFormPrefixLength(bytes) else { return nil }
            let authorityStart = bytes.index(bytes.startIndex, offsetBy: schemeEnd)
            guard let slash = bytes[authorityStart...].firstIndex(where: { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") }),
                bytes[slash] == UInt8(ascii: "/")
            else {
                path = "/"
                query = bytes[authorityStart...].firstIndex(of: UInt8(ascii: "?")).map { target[bytes.index(after: $0)...] }
                return
            }
            pathStart = slash
        }
        if let mark = bytes[pathStart...].firstIndex(of: UInt8(ascii: "?")) {
            path = target[pathStart..<mark]
            query = target[bytes.index(after: mark)...]
        } else {
            path = target[pathStart...]
            query = nil
        }
    }

    /// 7 for `http://`, 8 for `https://` (any case), else nil.
    private static func absoluteFormPrefixLength(_ bytes: String.UTF8View) -> Int? {
        let lowered = bytes.prefix(8).map(ByteClass.lowercased)
        if lowered.starts(with: "https://".utf8) { return 8 }
        if lowered.starts(with: "http://".utf8) { return 7 }
        return nil
    }
}
