import Logging
import Synchronization

/// Records what a logger was told, so tests can check a log line's message and metadata.
final class CapturedLogs: Sendable {
    struct Entry {
        let level: Logger.Level
        let message: String
        let metadata: [String: String]
    }

    private let entries = Mutex<[Entry]>([])

    /// A logger that writes here (at every level).
    var logger: Logger {
        Logger(label: "test") { _ in Handler(sink: self) }
    }

    /// Every entry with `message`, oldest first.
    func entries(_ message: String) -> [Entry] {
        entries.withLock { $0.filter { $0.message == message } }
    }

    fileprivate func append(_ entry: Entry) {
        entries.withLock { $0.append(entry) }
    }

    private struct Handler: LogHandler {
        let sink: CapturedLogs
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let merged = metadata.merging(event.metadata ?? [:]) { $1 }
            sink.append(Entry(level: event.level, message: "\(event.message)", metadata: merged.mapValues { "\($0)" }))
        }
    }
}
