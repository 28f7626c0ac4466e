import ArgumentParser

/// A duration on the command line: `250ms`, `10s`, `5m`, `1h`, or plain seconds.
struct DurationArgument: ExpressibleByArgument, Sendable, CustomStringConvertible {
    var duration: Duration
    var text: String

    init(_ text: String, _ duration: Duration) {
        self.text = text
        self.duration = duration
    }

    init?(argument: String) {
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)]
        var number = Substring(argument)
        var scale = 1.0
        for (suffix, factor) in units where argument.hasSuffix(suffix) {
            number = argument.dropLast(suffix.count)
            scale = factor
            break
        }
        guard let value = Double(number), value.isFinite, value >= 0, value * scale <= 86_400 * 365 else { return nil }
        self.duration = .milliseconds(Int64((value * scale * 1000).rounded()))
        self.text = argument
    }

    var description: String { text }
    var defaultValueDescription: String { text }
}

/// A size in bytes on the command line: `512`, `8KiB`, `1MiB` (also `KB`/`MB` as 1000s).
struct ByteSizeArgument: ExpressibleByArgument, Sendable, CustomStringConvertible {
    var bytes: Int
    var text: String

    init(_ text: String, _ bytes: Int) {
        self.text = text
        self.bytes = bytes
    }

    init?(argument: String) {
        let units: [(String, Int)] = [("KiB", 1024), ("MiB", 1 << 20), ("GiB", 1 << 30), ("KB", 1000), ("MB", 1_000_000), ("GB", 1_000_000_000), ("B", 1)]
        var number = Substring(argument)
        var scale = 1
        for (suffix, factor) in units where argument.hasSuffix(suffix) {
            number = argument.dropLast(suffix.count)
            scale = factor
            break
        }
        guard let value = Int(number), value >= 0, value <= Int(Int32.max) / scale else { return nil }
        self.bytes = value * scale
        self.text = argument
    }

    var description: String { text }
    var defaultValueDescription: String { text }
}

/// `on`, `off`, or `sample:N` (log one request in N).
struct AccessLogArgument: ExpressibleByArgument, Sendable, CustomStringConvertible {
    var every: Int?  // nil: off
    var text: String

    init?(argument: String) {
        text = argument
        switch argument {
        case "on": every = 1
        case "off": every = nil
        default:
            guard argument.hasPrefix("sample:"), let n = Int(argument.dropFirst(7)), n >= 1 else { return nil }
            every = n
        }
    }

    var description: String { text }
    var defaultValueDescription: String { text }
}
