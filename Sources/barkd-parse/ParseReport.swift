import Observability
import Server

/// The parser's verdict on one complete input, as a JSON line.
enum ParseReport {
    static func report(for raw: [UInt8]) -> String {
        var parser = HTTPRequestParser()
        var fields: [HTTPHeaderField] = []
        let result = raw.withUnsafeBytes { parser.parse($0, fields: &fields) }
        switch result {
        case .needMore:
            return #"{"verdict":"reject","status":400,"reason":"incomplete message"}"#
        case .failure(let error):
            return #"{"verdict":"reject","status":\#(error.status.code),"reason":\#(JSONText.quoted(error.reason))}"#
        case .complete(let message):
            guard message.length == raw.count else {
                return #"{"verdict":"reject","status":400,"reason":"trailing bytes after message"}"#
            }
            func text(_ range: Range<Int>) -> String { JSONText.quoted(String(decoding: raw[range], as: UTF8.self)) }
            func latin1(_ range: Range<Int>) -> String {
                // Header values may hold obs-text: report them byte for byte as Latin-1, as h11 does.
                JSONText.quoted(String(raw[range].map { Character(Unicode.Scalar($0)) }))
            }
            let headers = fields.map { "[\(text($0.name)),\(latin1($0.value))]" }.joined(separator: ",")
            let body: [UInt8]
            switch message.body {
            case .none: body = []
            case .range(let range): body = Array(raw[range])
            case .decoded(let bytes): body = bytes
            }
            return
                #"{"verdict":"accept","method":\#(JSONText.quoted(message.head.method.description)),"target":\#(text(message.head.target)),"version":"\#(message.head.version == .http1_1 ? "1.1" : "1.0")","keep_alive":\#(message.head.keepAlive),"headers":[\#(headers)],"body":"\#(Base64.encode(body))"}"#
        }
    }
}
