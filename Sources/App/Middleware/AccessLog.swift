public import Observability
import Server
import Synchronization

/// One line per answered request, written straight into the log sink's buffer in the
/// same JSON (or text) shape as every other log line, without building a dictionary.
public struct AccessLog: Sendable {
    /// Which requests are logged.
    public enum Mode: Sendable, Equatable {
        case off
        case all
        /// One request in `n`.
        case sampled(Int)
    }

    public let mode: Mode
    public let format: LogFormat
    let sink: LogSink
    private let sequence = SequenceCounter()

    /// Counts requests across all connections, for sampling (touched only when sampling).
    private final class SequenceCounter: Sendable {
        let value = Atomic<Int>(0)
    }

    public init(mode: Mode, format: LogFormat, sink: LogSink = .standardOutput) {
        self.mode = mode
        self.format = format
        self.sink = sink
    }

    struct Entry {
        var requestID: String
        var method: HTTPMethod
        var path: Substring
        var route: String
        var status: Int
        var bytes: Int
        var durationNanoseconds: UInt64
        var remote: String
    }

    /// Whether to log the next answered request: all, none, or one in N across the server.
    func shouldLogNext() -> Bool {
        switch mode {
        case .off: false
        case .all: true
        case .sampled(let every): every <= 1 || sequence.value.add(1, ordering: .relaxed).oldValue % every == 0
        }
    }

    /// Formats `entry` into `line` (a reused scratch buffer) outside the sink's lock,
    /// then hands the bytes to the sink.
    func write(_ entry: Entry, scratch line: inout [UInt8]) {
        line.removeAll(keepingCapacity: true)
        let micros = Int(entry.durationNanoseconds / 1000)
        if format == .text {
            line.append(
                contentsOf:
                    "\(LogTimestamp.now()) info barkd.access: \(entry.method) \(entry.path) \(entry.status) \(entry.bytes)B \(micros)us request_id=\(entry.requestID) remote=\(entry.remote)\n"
                    .utf8)
            sink.write(line)
            return
        }
        line.append(contentsOf: #"{"ts":""#.utf8)
        LogTimestamp.appendNow(to: &line)
        line.append(contentsOf: #"","level":"info","msg":"request","logger":"barkd.access""#.utf8)
        JSONText.appendMember("request_id", entry.requestID, to: &line)
        JSONText.appendMember("method", entry.method.description, to: &line)
        JSONText.appendMember("path", entry.path, to: &line)
        JSONText.appendMember("route", entry.route, to: &line)
        JSONText.appendMember("status", integer: entry.status, to: &line)
        JSONText.appendMember("bytes", integer: entry.bytes, to: &line)
        JSONText.appendKey("duration_ms", to: &line)
        DecimalText.append(thousandths: micros, to: &line)
        JSONText.appendMember("remote", entry.remote, to: &line)
        line.append(contentsOf: "}\n".utf8)
        sink.write(line)
    }
}
