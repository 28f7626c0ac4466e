@testable import Server

// One piece of code for the split property, compiled twice: by the ServerTests target
// (ParserSplitInvarianceTests) and, by path, into the parser and chunked fuzz harnesses
// (scripts/fuzz.sh, Fuzz/README.md).

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

/// Feeds `bytes` to one parser the way a connection does: reads whose sizes are `reads`
/// in turn, over and over (empty: everything in one read), parsing what is buffered after
/// each read and dropping each complete message before parsing on. Returns every outcome
/// in order.
func parseOutcomes(_ bytes: [UInt8], reads: [Int], limits: HTTPLimits = HTTPLimits()) -> [ParseOutcome] {
    var parser = HTTPRequestParser(limits: limits)
    var fields: [HTTPHeaderField] = []
    var outcomes: [ParseOutcome] = []
    let reads = reads.isEmpty ? [bytes.count] : reads.map { max($0, 1) }
    var readIndex = 0
    func nextRead() -> Int {
        defer { readIndex = (readIndex + 1) % reads.count }
        return reads[readIndex]
    }
    var consumed = 0
    var available = min(nextRead(), bytes.count)
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
            available = min(available + nextRead(), bytes.count)
        }
    }
}

/// ``parseOutcomes(_:reads:limits:)`` with reads of `step` bytes (nil: all at once).
func parseOutcomes(_ bytes: [UInt8], step: Int?, limits: HTTPLimits = HTTPLimits()) -> [ParseOutcome] {
    parseOutcomes(bytes, reads: step.map { [$0] } ?? [], limits: limits)
}

/// The property the fuzzers check too: the verdicts on `bytes` are the same whether they
/// arrive at once or in reads of every size in `steps`. Returns a description of the
/// first difference, or nil.
func splitDependence(of bytes: [UInt8], steps: ClosedRange<Int> = 1...7, limits: HTTPLimits = HTTPLimits()) -> String? {
    splitDependence(of: bytes, readPatterns: steps.map { [$0] }, limits: limits)
}

/// As ``splitDependence(of:steps:limits:)``, for read sizes that vary within one stream:
/// each pattern is one way of splitting (see ``parseOutcomes(_:reads:limits:)``).
func splitDependence(of bytes: [UInt8], readPatterns: [[Int]], limits: HTTPLimits = HTTPLimits()) -> String? {
    let whole = parseOutcomes(bytes, reads: [], limits: limits)
    for reads in readPatterns {
        let pieces = parseOutcomes(bytes, reads: reads, limits: limits)
        if pieces != whole {
            return "in one read: \(whole); in reads of \(reads): \(pieces)"
        }
    }
    return nil
}

extension HTTPLimits {
    /// Limits small enough that short inputs cross each of them at many places: where a
    /// split-dependent verdict would show.
    static var tight: HTTPLimits {
        var limits = HTTPLimits()
        limits.maxRequestLineBytes = 32
        limits.maxHeaderBytes = 128
        limits.maxHeaderCount = 8
        limits.maxBodyBytes = 64
        limits.maxChunkLineBytes = 24
        return limits
    }
}
