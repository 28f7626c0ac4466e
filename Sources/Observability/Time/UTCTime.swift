/// A UTC instant broken into its calendar fields (proleptic Gregorian calendar), for log
/// timestamps and HTTP `Date` headers.
///
/// Computed with integer arithmetic (days from civil, H. Hinnant): glibc's `gmtime_r`
/// takes the time-zone lock, which event loops stamping every response and log line
/// would contend on.
public struct UTCTime: Sendable, Equatable {
    public var year: Int64
    /// 1–12.
    public var month: Int
    /// 1–31.
    public var day: Int
    /// 0–23.
    public var hour: Int
    /// 0–59.
    public var minute: Int
    /// 0–59 (Unix time has no leap seconds).
    public var second: Int
    /// 0 for Sunday through 6 for Saturday.
    public var weekday: Int

    /// The UTC fields of `seconds` since 1970-01-01T00:00:00Z (negative: before it).
    public init(secondsSinceEpoch seconds: Int64) {
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = Int(seconds - days * 86_400)
        (year, month, day) = Self.civil(fromDays: days)
        hour = secondOfDay / 3600
        minute = secondOfDay / 60 % 60
        second = secondOfDay % 60
        // 1970-01-01 was a Thursday (4).
        let weekday = (days + 4) % 7
        self.weekday = Int(weekday >= 0 ? weekday : weekday + 7)
    }

    /// Appends the time of day as `hh:mm:ss` (RFC 3339 and IMF-fixdate alike).
    public func appendTimeOfDay(to output: inout [UInt8]) {
        DecimalText.append(hour, width: 2, to: &output)
        output.append(UInt8(ascii: ":"))
        DecimalText.append(minute, width: 2, to: &output)
        output.append(UInt8(ascii: ":"))
        DecimalText.append(second, width: 2, to: &output)
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
}
