public import App
public import ArgumentParser
import Logging
import Observability

/// `--metrics`: record request metrics and serve `/metrics`, or neither.
enum MetricsSwitch: String, ExpressibleByArgument, CaseIterable, Sendable {
    case on
    case off
}

/// `--counter-mode`: when the visitor counter writes its views (see ``VisitorCounter``).
enum CounterModeArgument: String, ExpressibleByArgument, CaseIterable, Sendable {
    /// Views are written every `--counter-flush-interval`.
    case batched
    /// Each view is written before its page is answered.
    case sync

    /// The counter's mode, batched views written every `flushInterval`.
    func mode(flushInterval: Duration) -> VisitorCounter.Mode {
        switch self {
        case .batched: .batched(flushInterval: flushInterval)
        case .sync: .sync
        }
    }
}

/// `--log-format` parses straight into the type the log handler takes.
extension LogFormat: ExpressibleByArgument {}

/// `--log-level`: swift-log's levels (`Logger.Level` itself is not made an argument: that
/// conformance would be retroactive).
enum LogLevelArgument: String, ExpressibleByArgument, CaseIterable, Sendable {
    case trace, debug, info, notice, warning, error, critical

    var level: Logger.Level {
        switch self {
        case .trace: .trace
        case .debug: .debug
        case .info: .info
        case .notice: .notice
        case .warning: .warning
        case .error: .error
        case .critical: .critical
        }
    }
}

/// `--access-log`: `on`, `off`, or `sample:N` (log one request in N).
extension AccessLog.Mode: ExpressibleByArgument {
    public init?(argument: String) {
        switch argument {
        case "on": self = .all
        case "off": self = .off
        default:
            guard argument.hasPrefix("sample:"), let n = Int(argument.dropFirst(7)), n >= 1 else { return nil }
            self = n == 1 ? .all : .sampled(n)
        }
    }

    public var defaultValueDescription: String {
        switch self {
        case .all: "on"
        case .off: "off"
        case .sampled(let n): "sample:\(n)"
        }
    }
}
