import CLinuxShim
import Observability

/// The `Date` header value (IMF-fixdate, RFC 9110 §5.6.7), formatted at most once per
/// second per cache, from ``UTCTime``: no `gmtime_r` (and its time-zone lock) on a loop.
struct HTTPDateCache {
    private var second: Int64 = -1
    private(set) var bytes: [UInt8] = []

    /// The current date, e.g. `Sun, 06 Nov 1994 08:49:37 GMT`.
    mutating func current() -> [UInt8] {
        let now = barkd_realtime_seconds()
        if now != second {
            second = now
            bytes.removeAll(keepingCapacity: true)
            Self.append(now, to: &bytes)
        }
        return bytes
    }

    /// `seconds` since the epoch as an IMF-fixdate.
    static func format(_ seconds: Int64) -> [UInt8] {
        var bytes: [UInt8] = []
        append(seconds, to: &bytes)
        return bytes
    }

    /// Appends `seconds` since the epoch as an IMF-fixdate (29 bytes for years 1000–9999).
    static func append(_ seconds: Int64, to output: inout [UInt8]) {
        let time = UTCTime(secondsSinceEpoch: seconds)
        output.append(contentsOf: dayNames[time.weekday * 3..<time.weekday * 3 + 3])
        output.append(contentsOf: ", ".utf8)
        DecimalText.append(time.day, width: 2, to: &output)
        output.append(UInt8(ascii: " "))
        output.append(contentsOf: monthNames[(time.month - 1) * 3..<time.month * 3])
        output.append(UInt8(ascii: " "))
        DecimalText.append(Int(time.year), width: 4, to: &output)
        output.append(UInt8(ascii: " "))
        time.appendTimeOfDay(to: &output)
        output.append(contentsOf: " GMT".utf8)
    }

    private static let dayNames = Array("SunMonTueWedThuFriSat".utf8)
    private static let monthNames = Array("JanFebMarAprMayJunJulAugSepOctNovDec".utf8)
}
