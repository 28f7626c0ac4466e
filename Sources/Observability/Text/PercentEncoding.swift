/// Percent-encoding (RFC 3986 §2.1): request paths and query strings, and the parts of a
/// database URL.
public enum PercentEncoding {
    /// Decodes `%XX` escapes in `bytes` (and `+` as a space when `plusAsSpace`: query
    /// strings); nil when an escape is malformed, when a byte or an escape is NUL (which no
    /// path, parameter or C string may carry: `%00` and a raw NUL alike), or when the
    /// result is not valid UTF-8.
    @inlinable
    public static func decode(_ bytes: some Collection<UInt8>, plusAsSpace: Bool = false) -> String? {
        guard bytes.contains(UInt8(ascii: "%")) || (plusAsSpace && bytes.contains(UInt8(ascii: "+"))) else {
            return bytes.contains(0) ? nil : String(validating: bytes, as: UTF8.self)
        }
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var iterator = bytes.makeIterator()
        while let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "%"):
                guard let high = iterator.next().flatMap(Hex.value(of:)), let low = iterator.next().flatMap(Hex.value(of:)),
                    high | low != 0
                else { return nil }
                output.append(high << 4 | low)
            case UInt8(ascii: "+") where plusAsSpace:
                output.append(UInt8(ascii: " "))
            case 0:
                return nil
            default:
                output.append(byte)
            }
        }
        return String(validating: output, as: UTF8.self)
    }

    /// Decodes `%XX` escapes in `text` (see ``decode(_:plusAsSpace:)``).
    public static func decode(_ text: some StringProtocol) -> String? {
        decode(text.utf8)
    }

    /// Escapes everything but unreserved characters (RFC 3986) and `/` (unless
    /// `escapingSlash`: for one path segment or a URL's user), as `%XX` with uppercase
    /// digits.
    public static func encode(_ text: some StringProtocol, escapingSlash: Bool = false) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."),
                UInt8(ascii: "_"), UInt8(ascii: "~"):
                output.append(byte)
            case UInt8(ascii: "/") where !escapingSlash:
                output.append(byte)
            default:
                output.append(contentsOf: [UInt8(ascii: "%"), Hex.digit(byte >> 4, uppercase: true), Hex.digit(byte, uppercase: true)])
            }
        }
        return String(decoding: output, as: UTF8.self)
    }
}
