import CLinuxShim
import Glibc

/// RFC 3339 UTC timestamps with milliseconds, e.g. `2026-11-22T03:13:05.123Z`, from
/// ``UTCTime`` (never `gmtime_r`, which takes the time-zone lock).
public enum LogTimestamp {
    /// Appends the current time to `output`.
    public static func appendNow(to output: inout [UInt8]) {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        append(seconds: Int64(spec.tv_sec), milliseconds: Int(spec.tv_nsec / 1_000_000), to: &output)
    }

    /// Appends the UTC time `seconds` since the epoch plus `milliseconds`.
    public static func append(seconds: Int64, milliseconds: Int, to output: inout [UInt8]) {
        let time = UTCTime(secondsSinceEpoch: seconds)
        DecimalText.append(Int(time.year), width: 4, to: &output)
        output.append(UInt8(ascii: "-"))
        DecimalText.append(time.month, width: 2, to: &output)
        output.append(UInt8(ascii: "-"))
        DecimalText.append(time.day, width: 2, to: &output)
        output.append(UInt8(ascii: "T"))
        time.appendTimeOfDay(to: &output)
        output.append(UInt8(ascii: "."))
        DecimalText.append(milliseconds, width: 3, to: &output)
        output.append(UInt8(ascii: "Z"))
    }

    /// The current time as text.
    public static func now() -> String {
        var bytes: [UInt8] = []
        appendNow(to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }
}
