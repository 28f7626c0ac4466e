import Glibc

/// RFC 3339 UTC timestamps with milliseconds, e.g. `2026-11-22T03:13:05.123Z`.
///
/// The calendar date is computed with integer arithmetic (days from civil, H. Hinnant):
/// glibc's `gmtime_r` takes the time-zone lock, which event loops logging every request
/// would contend on.
public enum LogTimestamp {
    /// Appends the current time to `output`.
    public static func appendNow(to output: inout [UInt8]) {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        append(seconds: Int64(spec.tv_sec), milliseconds: Int(spec.tv_nsec / 1_000_000), to: &output)
    }

    /// Appends the UTC time `seconds` since the epoch plus `milliseconds`.
    public static func append(seconds: Int64, milliseconds: Int, to output: inout [UInt8]) {
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = Int(seconds - days * 86_400)
        let (year, month, day) = civil(fromDays: days)
        DecimalText.append(Int(year), width: 4, to: &output)
        output.append(UInt8(ascii: "-"))
        DecimalText.append(month, width: 2, to: &output)
        output.append(UInt8(ascii: "-"))
        DecimalText.append(day, width: 2, to: &output)
        output.append(UInt8(ascii: "T"))
        DecimalText.append(secondOfDay / 3600, width: 2, to: &output)
        output.append(UInt8(ascii: ":"))
        DecimalText.append(secondOfDay / 60 % 60, width: 2, to: &output)
        output.append(UInt8(ascii: ":"))
        DecimalText.append(secondOfDay % 60, width: 2, to: &output)
        output.append(UInt8(ascii: "."))
        DecimalText.append(milliseconds, width: 3, to: &output)
        output.append(UInt8(ascii: "Z"))
    }

    /// The proleptic Gregorian date of a day count since 1970-01-01.
    static func civil(fromDays days: Int64) -> (year: Int64, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = Int(dayOfYear - (153 * monthIndex + 2) / 5 + 1)
        let month = Int(monthIndex < 10 ? monthIndex + 3 : monthIndex - 9)
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day)
    }

    /// The current time as text.
    public static func now() -> String {
        var bytes: [UInt8] = []
        appendNow(to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }
}
