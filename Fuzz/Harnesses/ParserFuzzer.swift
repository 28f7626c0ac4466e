@testable import Server

/// The request parser under libFuzzer: the input is a byte stream from a client (one or
/// more requests, or garbage). Property: the sequence of verdicts is the same when the
/// stream arrives in one read, in reads of 1 to 7 bytes, and in reads whose sizes come
/// from the input itself (byte i gives the i-th read `i % 7 + 1`), under the default
/// limits and under tight ones the input crosses at many places. Memory errors are
/// AddressSanitizer's part.
@_cdecl("LLVMFuzzerTestOneInput")
public func parserFuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = fuzzInput(data, size)
    let patterns = (1...7).map { [$0] } + [bytes.prefix(64).map { Int($0 % 7) + 1 }]
    for limits in [HTTPLimits(), HTTPLimits.tight] {
        if let difference = splitDependence(of: bytes, readPatterns: patterns, limits: limits) {
            violated("the verdict depends on the split (maxHeaderBytes \(limits.maxHeaderBytes)): \(difference)", input: bytes)
        }
    }
    return 0
}
