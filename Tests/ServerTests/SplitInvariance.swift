@testable import Server

/// What the parser made of a stream of bytes: each complete message (with its header
/// fields), then the error that stopped it, or `incomplete` when bytes were left over.
enum ParseOutcome: Equatable, CustomStringConvertible {
    case message(HTTPParsedMessage, [HTTPHeaderField])
    case failure(HTTPParseError)
    case incomplete

    var description: String {
        switch self {
        case .message(let message, _): "message(\(message.head.method) length \(message.length))"
        case .failure(let error): "failure(\(error))"
        case .incomplete: "incomplete"
        }
    }
}

/// Feeds `bytes` to one parser the way a connection does: reads of `step` bytes (nil: all
/// at once), parsing what is buffered after each read and dropping each complete message
/// before parsing on. Returns every outcome in order.
func parseOutcomes(_ bytes: [UInt8], step: Int?, limits: HTTPLimits = HTTPLimits()) -> [ParseOutcome] {
    var parser = HTTPRequestParser(limits: limits)
    var fields: [HTTPHeaderField] = []
    var outcomes: [ParseOutcome] = []
    let step = max(step ?? bytes.count, 1)
    var consumed = 0
    var available = min(step, bytes.count)
    while true {
        let result = bytes[consumed..<available].withUnsafeBytes { parser.parse($0, fields: &fields) }
        switch result {
        case .complete(let message):
            outcomes.append(.message(message, fields))
            consumed += message.length
        case .failure(let error):
            outcomes.append(.failure(error))
            return outcomes
        case .needMore:
            guard available < bytes.count else {
                if consumed < bytes.count { outcomes.append(.incomplete) }
                return outcomes
            }
            available = min(available + step, bytes.count)
        }
    }
}

/// The property a fuzzer checks too: the verdicts on `bytes` are the same whether they
/// arrive at once or in reads of every size in `steps`. Returns a description of the
/// first difference, or nil.
func splitDependence(of bytes: [UInt8], steps: ClosedRange<Int> = 1...7, limits: HTTPLimits = HTTPLimits()) -> String? {
    let whole = parseOutcomes(bytes, step: nil, limits: limits)
    for step in steps {
        let pieces = parseOutcomes(bytes, step: step, limits: limits)
        if pieces != whole {
            return "in one read: \(whole); in reads of \(step): \(pieces)"
        }
    }
    return nil
}
