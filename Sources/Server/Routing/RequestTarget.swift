/// The path and query of a request target (RFC 9112 §3.2): origin-form (`/p?q`) or
/// absolute-form (`http://host/p?q`). Other forms are not served.
struct RequestTarget {
    var path: Substring
    var query: Substring?

    init?(_ target: String) {
        var rest = target[...]
        if rest.first != "/" {
            let lower = rest.prefix(8).lowercased()
            let schemeLength = lower.hasPrefix("https://") ? 8 : (lower.hasPrefix("http://") ? 7 : 0)
            guard schemeLength > 0 else { return nil }
            rest = rest.dropFirst(schemeLength)
            guard let slash = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) else {
                path = "/"
                query = nil
                return
            }
            rest = rest[slash...]
            if rest.first == "?" { rest = "/" + rest }
        }
        if let mark = rest.firstIndex(of: "?") {
            path = rest[..<mark]
            query = rest[rest.index(after: mark)...]
        } else {
            path = rest
            query = nil
        }
    }
}
