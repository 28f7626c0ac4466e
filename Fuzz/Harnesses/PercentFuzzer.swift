import Observability
@testable import Server

/// Percent decoding and query strings under libFuzzer: the input is a path or query as
/// sent. Properties: what decodes is valid UTF-8 without NUL; encoding it gives only
/// unreserved characters, `/` and `%XX`, and decodes back to itself (also with `/`
/// escaped); with `+` as space the result is the plain decoding with each `+` byte turned
/// into a space, when the input holds no encoded `+` (`%2B`); query parsing never traps and keeps no empty key.
@_cdecl("LLVMFuzzerTestOneInput")
public func percentFuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = fuzzInput(data, size)
    if let text = PercentEncoding.decode(bytes) {
        if text.utf8.contains(0) { violated("decoded text holds NUL: \(text.debugDescription)", input: bytes) }
        let encoded = PercentEncoding.encode(text)
        if !encoded.utf8.allSatisfy(isEncodedByte) { violated("encode(\(text.debugDescription)) = \(encoded)", input: bytes) }
        if PercentEncoding.decode(encoded) != text {
            violated("decode(encode(\(text.debugDescription))) = \(String(describing: PercentEncoding.decode(encoded)))", input: bytes)
        }
        let segment = PercentEncoding.encode(text, escapingSlash: true)
        if segment.utf8.contains(UInt8(ascii: "/")) || PercentEncoding.decode(segment) != text {
            violated("encode(\(text.debugDescription), escapingSlash: true) = \(segment)", input: bytes)
        }
        let plus = PercentEncoding.decode(bytes, plusAsSpace: true)
        if !bytes.containsEncodedPlus, plus != String(decoding: text.utf8.map { $0 == UInt8(ascii: "+") ? 0x20 : $0 }, as: UTF8.self) {
            violated("with + as space: \(String(describing: plus)), plain: \(text.debugDescription)", input: bytes)
        }
    }
    let query = QueryParameters.parse(String(decoding: bytes, as: UTF8.self))
    if query.keys.contains("") { violated("query parameters with an empty key: \(query)", input: bytes) }
    return 0
}

/// Unreserved characters (RFC 3986 §2.3), `/`, and the `%XX` of an escape.
func isEncodedByte(_ byte: UInt8) -> Bool {
    switch byte {
    case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
        UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: "/"), UInt8(ascii: "%"):
        true
    default: false
    }
}

extension Array where Element == UInt8 {
    /// Whether the bytes hold `%2B` (any case): an escaped `+`, which stays `+`.
    var containsEncodedPlus: Bool {
        indices.dropLast(2).contains { self[$0] == UInt8(ascii: "%") && self[$0 + 1] == UInt8(ascii: "2") && (self[$0 + 2] | 0x20) == UInt8(ascii: "b") }
    }
}
