import Glibc
import Testing

@testable import Observability

@Suite("UTC calendar fields")
struct UTCTimeTests {
    /// Year, month, day, hour, minute, second, weekday.
    func fields(_ seconds: Int64) -> [Int64] {
        let time = UTCTime(secondsSinceEpoch: seconds)
        return [time.year] + [time.month, time.day, time.hour, time.minute, time.second, time.weekday].map { Int64($0) }
    }

    @Test func knownInstants() {
        #expect(fields(0) == [1970, 1, 1, 0, 0, 0, 4])
        #expect(fields(-1) == [1969, 12, 31, 23, 59, 59, 3])
        #expect(fields(951_782_400) == [2000, 2, 29, 0, 0, 0, 2])
        #expect(fields(4_107_542_400) == [2100, 3, 1, 0, 0, 0, 1])
        #expect(fields(13_574_563_200) == [2400, 2, 29, 0, 0, 0, 2])
    }

    @Test func agreesWithGmtime() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<5000 {
            let seconds = Int64.random(in: -5_000_000_000...20_000_000_000, using: &generator)
            var time = time_t(seconds)
            var parts = tm()
            gmtime_r(&time, &parts)
            let fields = UTCTime(secondsSinceEpoch: seconds)
            #expect(fields.year == Int64(parts.tm_year) + 1900 && fields.month == Int(parts.tm_mon) + 1 && fields.day == Int(parts.tm_mday))
            #expect(fields.hour == Int(parts.tm_hour) && fields.minute == Int(parts.tm_min) && fields.second == Int(parts.tm_sec))
            #expect(fields.weekday == Int(parts.tm_wday), "\(seconds)")
        }
    }

    @Test func timeOfDay() {
        var bytes: [UInt8] = []
        UTCTime(secondsSinceEpoch: 784_111_777).appendTimeOfDay(to: &bytes)
        #expect(String(decoding: bytes, as: UTF8.self) == "08:49:37")
    }
}

@Suite("Decimal text")
struct DecimalTextTests {
    func text(_ write: (inout [UInt8]) -> Void) -> String {
        var bytes: [UInt8] = []
        write(&bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    @Test func integers() {
        #expect(text { DecimalText.append(0, to: &$0) } == "0")
        #expect(text { DecimalText.append(1_234_567, to: &$0) } == "1234567")
        #expect(text { DecimalText.append(-42, to: &$0) } == "-42")
        #expect(text { DecimalText.append(Int.min, to: &$0) } == "\(Int.min)")
        #expect(text { DecimalText.append(7, width: 3, to: &$0) } == "007")
    }

    @Test func thousandths() {
        #expect(text { DecimalText.append(thousandths: 1234, to: &$0) } == "1.234")
        #expect(text { DecimalText.append(thousandths: 50, to: &$0) } == "0.050")
        #expect(text { DecimalText.append(thousandths: -50, to: &$0) } == "-0.050")
        #expect(text { DecimalText.append(thousandths: 1500, trimmingZeros: true, to: &$0) } == "1.5")
        #expect(text { DecimalText.append(thousandths: 2000, trimmingZeros: true, to: &$0) } == "2")
        #expect(text { DecimalText.append(thousandths: 1005, trimmingZeros: true, to: &$0) } == "1.005")
    }
}
