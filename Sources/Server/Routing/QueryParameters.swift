import Observability

/// Parsing of `application/x-www-form-urlencoded` query strings.
public enum QueryParameters {
    /// `a=1&b=two` → `["a": "1", "b": "two"]`; keys without `=` map to "", malformed
    /// escapes are dropped, and a later duplicate replaces an earlier one.
    public static func parse(_ query: some StringProtocol) -> [String: String] {
        var result: [String: String] = [:]
        for pair in query.utf8.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            let parts = pair.split(separator: UInt8(ascii: "="), maxSplits: 1, omittingEmptySubsequences: false)
            guard let key = PercentEncoding.decode(parts[0], plusAsSpace: true), !key.isEmpty else { continue }
            let value = parts.count > 1 ? PercentEncoding.decode(parts[1], plusAsSpace: true) : ""
            if let value { result[key] = value }
        }
        return result
    }
}
