/// Decimal digits written straight into a byte buffer: status codes, content lengths,
/// log fields — without building a `String` per number.
public enum DecimalText {
    /// Appends `value` (negative values with a `-`) in as many digits as it needs.
    public static func append(_ value: Int, to output: inout [UInt8]) {
        if value < 0 {
            output.append(UInt8(ascii: "-"))
            // The magnitude of Int.min does not fit an Int: write it as unsigned.
            appendMagnitude(value.magnitude, to: &output)
            return
        }
        appendMagnitude(UInt(value), to: &output)
    }

    /// Appends `value` as exactly `width` digits, zero-padded (dates, fractions).
    public static func append(_ value: Int, width: Int, to output: inout [UInt8]) {
        var divisor = 1
        for _ in 1..<max(1, width) { divisor *= 10 }
        var remaining = value
        while divisor > 0 {
            output.append(UInt8(truncatingIfNeeded: (remaining / divisor) % 10) + 0x30)
            remaining %= divisor
            divisor /= 10
        }
    }

    /// Appends `thousandths / 1000` as a decimal fraction with three digits after the
    /// point (`1.234`, `-0.050`), or with trailing zeros dropped when `trimmingZeros`
    /// (`1.5`, `2`): milliseconds from microseconds, JSON numbers of fixed precision.
    public static func append(thousandths value: Int, trimmingZeros: Bool = false, to output: inout [UInt8]) {
        if value < 0 { output.append(UInt8(ascii: "-")) }
        appendMagnitude(value.magnitude / 1000, to: &output)
        var fraction = Int(value.magnitude % 1000)
        var width = 3
        if trimmingZeros {
            if fraction == 0 { return }
            while fraction % 10 == 0 {
                fraction /= 10
                width -= 1
            }
        }
        output.append(UInt8(ascii: "."))
        append(fraction, width: width, to: &output)
    }

    private static func appendMagnitude(_ value: UInt, to output: inout [UInt8]) {
        if value < 10 {
            output.append(UInt8(truncatingIfNeeded: value) + 0x30)
            return
        }
        var digits:
            (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
                (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        var remaining = value
        withUnsafeMutableBytes(of: &digits) { raw in
            while remaining > 0 {
                raw[19 - count] = UInt8(truncatingIfNeeded: remaining % 10) + 0x30
                remaining /= 10
                count += 1
            }
            output.append(contentsOf: raw[(20 - count)...])
        }
    }
}
