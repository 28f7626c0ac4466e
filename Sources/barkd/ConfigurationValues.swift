import ArgumentParser

/// A duration on the command line: `250ms`, `10s`, `5m`, `1h`, or plain seconds.
struct DurationArgument: ExpressibleByArgument, Sendable, CustomStringConvertible {
    var duration: Duration
    var text: String

    /// A default: written in whole seconds (`60s`), else milliseconds (`250ms`).
    init(_ duration: Duration) {
        self.duration = duration
        let milliseconds = duration / .milliseconds(1)
        let seconds = milliseconds / 1000
        self.text = seconds.rounded() == seconds ? "\(Int64(seconds))s" : "\(Int64(milliseconds.rounded()))ms"
    }

    init?(argument: String) {
        let (number, scale) = splitUnit(argument, units: [("ms", 0.001), ("s", 1.0), ("m", 60.0), ("h", 3600.0)], none: 1.0)
        guard let value = Double(number), value.isFinite, value >= 0, value * scale <= 86_400 * 365 else { return nil }
        self.duration = .milliseconds(Int64((value * scale * 1000).rounded()))
        self.text = argument
    }

    var description: String { text }
    var defaultValueDescription: String { text }
}

/// Splits `argument` into its number and the factor of its unit suffix (the first of
/// `units` that matches; `none` when there is no suffix).
func splitUnit<Factor>(_ argument: String, units: [(String, Factor)], none: Factor) -> (Substring, Factor) {
    for (suffix, factor) in units where argument.hasSuffix(suffix) {
        return (argument.dropLast(suffix.count), factor)
    }
    return (Substring(argument), none)
}

/// A size in bytes on the command line: `512`, `8KiB`, `1MiB` (also `KB`/`MB` as 1000s).
struct ByteSizeArgument: ExpressibleByArgument, Sendable, CustomStringConvertible {
    var bytes: Int
    var text: String

    /// A default: written in the largest binary unit that divides it (`8KiB`, `1MiB`).
    init(_ bytes: Int) {
        self.bytes = bytes
        let unit = [("MiB", 1 << 20), ("KiB", 1024)].first { bytes > 0 && bytes % $0.1 == 0 }
        self.text = unit.map { "\(bytes / $0.1)\($0.0)" } ?? "\(bytes)"
    }

    init?(argument: String) {
        let units = [("KiB", 1024), ("MiB", 1 << 20), ("GiB", 1 << 30), ("KB", 1000), ("MB", 1_000_000), ("GB", 1_000_000_000), ("B", 1)]
        let (number, scale) = splitUnit(argument, units: units, none: 1)
        guard let value = Int(number), value >= 0, value <= Int(Int32.max) / scale else { return nil }
        self.bytes = value * scale
        self.text = argument
    }

    var description: String { text }
    var defaultValueDescription: String { text }
}
