import Glibc

/// RFC 3339 UTC timestamps with milliseconds, e.g. `2026-11-22T03:13:05.123Z`.
public enum LogTimestamp {
    /// Appends the current time to `output`.
    public static func appendNow(to output: inout [UInt8]) {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        var seconds = spec.tv_sec
        var parts = tm()
        gmtime_r(&seconds, &parts)
        appendDigits(Int(parts.tm_year) + 1900, width: 4, to: &output)
        output.append(UInt8(ascii: "-"))
        appendDigits(Int(parts.tm_mon) + 1, width: 2, to: &output)
        output.append(UInt8(ascii: "-"))
        appendDigits(Int(parts.tm_mday), width: 2, to: &output)
        output.append(UInt8(ascii: "T"))
        appendDigits(Int(parts.tm_hour), width: 2, to: &output)
        output.append(UInt8(ascii: ":"))
        appendDigits(Int(parts.tm_min), width: 2, to: &output)
        output.append(UInt8(ascii: ":"))
        appendDigits(Int(parts.tm_sec), width: 2, to: &output)
        output.append(UInt8(ascii: "."))
        appendDigits(Int(spec.tv_nsec / 1_000_000), width: 3, to: &output)
        output.append(UInt8(ascii: "Z"))
    }

    /// The current time as text.
    public static func now() -> String {
        var bytes: [UInt8] = []
        appendNow(to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    static func appendDigits(_ value: Int, width: Int, to output: inout [UInt8]) {
        var divisor = 1
        for _ in 1..<width { divisor *= 10 }
        var remaining = value
        while divisor > 0 {
            output.append(UInt8(truncatingIfNeeded: (remaining / divisor) % 10) + 0x30)
            remaining %= divisor
            divisor /= 10
        }
    }
}
