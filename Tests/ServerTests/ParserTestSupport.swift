@testable import Server

/// Parses `text` (as bytes) in one call, or fed in `chunks` of the given size, like a
/// connection that receives it piecemeal.
func parse(_ text: String, chunkSize: Int? = nil, limits: HTTPLimits = HTTPLimits()) -> (HTTPParseResult, [HTTPHeaderField], [UInt8]) {
    parse(Array(text.utf8), chunkSize: chunkSize, limits: limits)
}

func parse(_ bytes: [UInt8], chunkSize: Int? = nil, limits: HTTPLimits = HTTPLimits()) -> (HTTPParseResult, [HTTPHeaderField], [UInt8]) {
    var parser = HTTPRequestParser(limits: limits)
    var fields: [HTTPHeaderField] = []
    let step = chunkSize ?? max(bytes.count, 1)
    var available = min(step, bytes.count)
    while true {
        let result = bytes[0..<available].withUnsafeBytes { parser.parse($0, fields: &fields) }
        if case .needMore = result, available < bytes.count {
            available = min(available + step, bytes.count)
            continue
        }
        return (result, fields, bytes)
    }
}

func failure(_ text: String) -> HTTPParseError? {
    if case .failure(let error) = parse(text).0 { return error }
    return nil
}

func parsedMessage(_ result: HTTPParseResult) -> HTTPParsedMessage? {
    if case .complete(let message) = result { return message }
    return nil
}

func string(_ bytes: [UInt8], _ range: Range<Int>) -> String {
    String(decoding: bytes[range], as: UTF8.self)
}
