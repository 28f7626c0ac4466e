import Glibc
import Testing

@testable import Observability

@Suite("Log timestamps")
struct LogTimestampTests {
    func text(_ seconds: Int64, _ milliseconds: Int = 0) -> String {
        var bytes: [UInt8] = []
        LogTimestamp.append(seconds: seconds, milliseconds: milliseconds, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    @Test func knownInstants() {
        #expect(text(0) == "1970-01-01T00:00:00.000Z")
        #expect(text(784_111_777, 7) == "1994-11-06T08:49:37.007Z")
        #expect(text(951_782_400) == "2000-02-29T00:00:00.000Z")
        #expect(text(4_102_444_799, 999) == "2099-12-31T23:59:59.999Z")
    }

    @Test func agreesWithGmtime() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            let seconds = Int64.random(in: 0...8_000_000_000, using: &generator)
            var time = time_t(seconds)
            var parts = tm()
            gmtime_r(&time, &parts)
            func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
            let expected =
                "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T"
                + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)).000Z"

            #expect(text(seconds) == expected)
        }
    }
}

@Suite("JSON text")
struct JSONTextTests {
    @Test func escapes() {
        #expect(JSONText.quoted("a\"b\\c\n\u{1}é") == #""a\"b\\c\n\u0001é""#)
    }
}
