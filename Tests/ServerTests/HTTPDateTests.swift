import Glibc
import Testing

@testable import Server

@Suite("HTTP dates")
struct HTTPDateTests {
    func imfFixdate(_ seconds: Int64) -> String {
        String(decoding: HTTPDateCache.format(seconds), as: UTF8.self)
    }

    @Test(
        arguments: [
            (0, "Thu, 01 Jan 1970 00:00:00 GMT"),
            (-1, "Wed, 31 Dec 1969 23:59:59 GMT"),
            (784_111_777, "Sun, 06 Nov 1994 08:49:37 GMT"),
            // 2000 is a leap year (divisible by 400).
            (951_782_400, "Tue, 29 Feb 2000 00:00:00 GMT"),
            (951_868_800, "Wed, 01 Mar 2000 00:00:00 GMT"),
            (1_709_208_000, "Thu, 29 Feb 2024 12:00:00 GMT"),
            (4_102_444_799, "Thu, 31 Dec 2099 23:59:59 GMT"),
            // 2100 is not (divisible by 100): 28 February is followed by 1 March.
            (4_107_542_399, "Sun, 28 Feb 2100 23:59:59 GMT"),
            (4_107_542_400, "Mon, 01 Mar 2100 00:00:00 GMT"),
            // 2400 is again.
            (13_574_563_200, "Tue, 29 Feb 2400 00:00:00 GMT"),
            (13_601_087_999, "Sun, 31 Dec 2400 23:59:59 GMT"),
            (253_402_300_799, "Fri, 31 Dec 9999 23:59:59 GMT"),
        ] as [(Int64, String)])
    func knownInstants(seconds: Int64, expected: String) {
        #expect(imfFixdate(seconds) == expected)
    }

    @Test func agreesWithStrftime() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            let seconds = Int64.random(in: -2_000_000_000...20_000_000_000, using: &generator)
            var time = time_t(seconds)
            var parts = tm()
            gmtime_r(&time, &parts)
            var buffer = [CChar](repeating: 0, count: 64)
            let count = strftime(&buffer, buffer.count, "%a, %d %b %Y %H:%M:%S GMT", &parts)
            let expected = String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            #expect(imfFixdate(seconds) == expected, "\(seconds)")
        }
    }

    @Test func theCacheHoldsTheCurrentSecond() {
        var cache = HTTPDateCache()
        let before = barkdNow()
        let text = String(decoding: cache.current(), as: UTF8.self)
        let after = barkdNow()
        #expect(text == imfFixdate(before) || text == imfFixdate(after))
        #expect(text.utf8.count == 29)
    }

    private func barkdNow() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec)
    }
}
