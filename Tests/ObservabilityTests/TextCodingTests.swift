import Testing

@testable import Observability

@Suite("Base64, hex and percent-encoding")
struct TextCodingTests {
    @Test func base64DecodesAndRefusesGarbage() {
        #expect(Base64.decode("R0lG\nODlh") == Array("GIF89a".utf8))
        #expect(Base64.decode("YQ==") == [0x61])
        #expect(Base64.decode("YWI=") == [0x61, 0x62])
        #expect(Base64.decode("YWI") == [0x61, 0x62], "padding is optional")
        #expect(Base64.decode("") == [])
        #expect(Base64.decode("Y*==") == nil)
        #expect(Base64.decode("YQ==YQ") == nil)
        #expect(Base64.decode("YQ===") == nil)
    }

    @Test func base64EncodesWithPadding() {
        #expect(Base64.encode([UInt8]()) == "")
        #expect(Base64.encode(Array("f".utf8)) == "Zg==")
        #expect(Base64.encode(Array("fo".utf8)) == "Zm8=")
        #expect(Base64.encode(Array("foo".utf8)) == "Zm9v")
        #expect(Base64.encode(Array("foobar".utf8)) == "Zm9vYmFy")
        #expect(Base64.encode([0xFB, 0xFF, 0xBF]) == "+/+/")
    }

    @Test func base64RoundTrips() {
        var generator = SystemRandomNumberGenerator()
        for length in 0..<64 {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            #expect(Base64.decode(Base64.encode(bytes)) == bytes)
        }
    }

    @Test func hexDigitsAndText() {
        #expect((0...255).compactMap { Hex.value(of: UInt8($0)) }.count == 22)
        #expect(Hex.value(of: UInt8(ascii: "7")) == 7)
        #expect(Hex.value(of: UInt8(ascii: "a")) == 10 && Hex.value(of: UInt8(ascii: "F")) == 15)
        #expect(Hex.value(of: UInt8(ascii: "g")) == nil)
        #expect((0..<16).map { Hex.value(of: Hex.digit(UInt8($0))) } == (0..<16).map { UInt8($0) })
        #expect(Hex.digit(0xAB) == UInt8(ascii: "b") && Hex.digit(0x0C, uppercase: true) == UInt8(ascii: "C"))
        #expect(Hex.encode([0x00, 0x0F, 0xA5, 0xFF]) == "000fa5ff")
        #expect(Hex.encode(UInt32(0x0012_ABCD)) == "0012abcd")
        #expect(Hex.encode(UInt64(1)) == "0000000000000001")
    }

    @Test func percentDecoding() {
        #expect(PercentEncoding.decode("a%20b%2Fc") == "a b/c")
        #expect(PercentEncoding.decode("%C3%A9t%c3%a9") == "été")
        #expect(PercentEncoding.decode("plain") == "plain")
        #expect(PercentEncoding.decode("a+b") == "a+b")
        #expect(PercentEncoding.decode("a+b%2B".utf8, plusAsSpace: true) == "a b+")
        #expect(PercentEncoding.decode("%zz") == nil)
        #expect(PercentEncoding.decode("%4") == nil)
        #expect(PercentEncoding.decode("%00") == nil, "NUL is refused")
        #expect(PercentEncoding.decode("%FF") == nil, "not UTF-8")
    }

    /// Found by the percent fuzzer (Fuzz/README.md): `%00` was refused but a raw NUL
    /// passed through, in a path segment or a database URL's names.
    @Test func percentDecodingRefusesARawNUL() {
        #expect(PercentEncoding.decode([0x00, 0x00]) == nil)
        #expect(PercentEncoding.decode("a\u{0}b") == nil)
        #expect(PercentEncoding.decode("%41\u{0}") == nil, "with an escape too")
        #expect(PercentEncoding.decode("a+\u{0}".utf8, plusAsSpace: true) == nil)
    }

    @Test func percentEncodingRoundTrips() {
        #expect(PercentEncoding.encode("user@host:p/ss word~") == "user%40host%3Ap/ss%20word~")
        #expect(PercentEncoding.encode("é") == "%C3%A9")
        #expect(PercentEncoding.encode("a/b c", escapingSlash: true) == "a%2Fb%20c")
        for text in ["", "a b", "p@ss:w/rd%", "été", "~-._"] {
            #expect(PercentEncoding.decode(PercentEncoding.encode(text)) == text)
        }
    }
}
