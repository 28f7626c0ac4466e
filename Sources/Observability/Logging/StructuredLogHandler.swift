public import Logging

/// A swift-log handler writing one line per message to a ``LogSink``: a JSON object
/// (`ts`, `level`, `msg`, `logger`, then metadata) or a text line.
public struct StructuredLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    private let label: String
    private let format: LogFormat
    private let sink: LogSink

    public init(label: String, level: Logger.Level, format: LogFormat, sink: LogSink = .standardOutput) {
        self.label = label
        self.logLevel = level
        self.format = format
        self.sink = sink
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let extra = event.metadata {
            merged.merge(extra) { _, new in new }
        }
        let line =
            format == .json
            ? Self.jsonLine(level: event.level, message: "\(event.message)", logger: label, metadata: merged)
            : Self.textLine(level: event.level, message: "\(event.message)", logger: label, metadata: merged)
        sink.write(line)
    }

    static func jsonLine(level: Logger.Level, message: String, logger: String, metadata: Logger.Metadata) -> [UInt8] {
        var line: [UInt8] = []
        line.reserveCapacity(160)
        line.append(contentsOf: #"{"ts":""#.utf8)
        LogTimestamp.appendNow(to: &line)
        line.append(contentsOf: #"","level":""#.utf8)
        line.append(contentsOf: level.rawValue.utf8)
        line.append(contentsOf: #"","msg":"#.utf8)
        JSONText.appendQuoted(message, to: &line)
        line.append(contentsOf: #","logger":"#.utf8)
        JSONText.appendQuoted(logger, to: &line)
        for (key, value) in metadata.sorted(by: { $0.key < $1.key }) {
            line.append(UInt8(ascii: ","))
            JSONText.appendQuoted(key, to: &line)
            line.append(UInt8(ascii: ":"))
            appendJSON(value, to: &line)
        }
        line.append(contentsOf: "}\n".utf8)
        return line
    }

    static func appendJSON(_ value: Logger.Metadata.Value, to line: inout [UInt8]) {
        switch value {
        case .string(let text): JSONText.appendQuoted(text, to: &line)
        case .stringConvertible(let convertible):
            if let number = convertible as? any BinaryInteger {
                line.append(contentsOf: "\(number)".utf8)
            } else if let number = convertible as? Double, number.isFinite {
                line.append(contentsOf: "\(number)".utf8)
            } else if let flag = convertible as? Bool {
                line.append(contentsOf: (flag ? "true" : "false").utf8)
            } else {
                JSONText.appendQuoted(convertible.description, to: &line)
            }
        case .array(let values):
            line.append(UInt8(ascii: "["))
            for (index, element) in values.enumerated() {
                if index > 0 { line.append(UInt8(ascii: ",")) }
                appendJSON(element, to: &line)
            }
            line.append(UInt8(ascii: "]"))
        case .dictionary(let entries):
            line.append(UInt8(ascii: "{"))
            for (index, (key, element)) in entries.sorted(by: { $0.key < $1.key }).enumerated() {
                if index > 0 { line.append(UInt8(ascii: ",")) }
                JSONText.appendQuoted(key, to: &line)
                line.append(UInt8(ascii: ":"))
                appendJSON(element, to: &line)
            }
            line.append(UInt8(ascii: "}"))
        }
    }

    static func textLine(level: Logger.Level, message: String, logger: String, metadata: Logger.Metadata) -> [UInt8] {
        var text = "\(LogTimestamp.now()) \(level.rawValue) \(logger): \(message)"
        for (key, value) in metadata.sorted(by: { $0.key < $1.key }) {
            text += " \(key)=\(value)"
        }
        text += "\n"
        return Array(text.utf8)
    }
}
