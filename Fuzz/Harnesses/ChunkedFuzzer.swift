@testable import Server

/// The chunked body decoder under libFuzzer, through the parser: the input is the body of
/// `POST /x` with `Transfer-Encoding: chunked`. Properties: the verdicts do not depend on
/// how the bytes are split (as in the parser harness); an accepted body is within the
/// body limit; and an accepted body, encoded again as one chunk, is accepted as the same
/// body (the decoder neither adds, drops nor reorders bytes).
@_cdecl("LLVMFuzzerTestOneInput")
public func chunkedFuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let body = fuzzInput(data, size)
    let head = Array("POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n".utf8)
    let bytes = head + body
    let patterns = (1...7).map { [$0] } + [body.prefix(64).map { Int($0 % 7) + 1 }]
    for limits in [HTTPLimits(), HTTPLimits.tight] {
        if let difference = splitDependence(of: bytes, readPatterns: patterns, limits: limits) {
            violated("the verdict depends on the split (maxBodyBytes \(limits.maxBodyBytes)): \(difference)", input: body)
        }
        guard case .message(let message, _)? = parseOutcomes(bytes, reads: [], limits: limits).first,
            case .decoded(let decoded) = message.body
        else { continue }
        if decoded.count > limits.maxBodyBytes {
            violated("a body of \(decoded.count) bytes passed the limit of \(limits.maxBodyBytes)", input: body)
        }
        let size = String(decoded.count, radix: 16)
        let again = head + (decoded.isEmpty ? [] : Array("\(size)\r\n".utf8) + decoded + Array("\r\n".utf8)) + Array("0\r\n\r\n".utf8)
        guard case .message(let reparsed, _)? = parseOutcomes(again, reads: [], limits: limits).first,
            reparsed.body == .decoded(decoded)
        else { violated("the decoded body \(decoded), encoded as one chunk, did not decode to itself", input: body) }
    }
    return 0
}
