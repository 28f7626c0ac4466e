@testable import Persistence

/// The `--database` URL parser under libFuzzer: the input is the URL text. Properties:
/// parsing never traps; what parses prints (without its password) as a URL that parses
/// back to the same location, and prints the same again (so the printed URL names what
/// barkd connects to, and a password cannot hide in it).
@_cdecl("LLVMFuzzerTestOneInput")
public func databaseURLFuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = fuzzInput(data, size)
    guard let url = try? DatabaseURL(parsing: String(decoding: bytes, as: UTF8.self)) else { return 0 }
    var withoutPassword = url
    withoutPassword.password = nil
    let printed = url.description
    let reparsed: DatabaseURL
    do {
        reparsed = try DatabaseURL(parsing: printed)
    } catch {
        violated("\(printed) (printed from a parsed URL) does not parse: \(error)", input: bytes)
    }
    if reparsed != withoutPassword { violated("\(printed) parses to \(reparsed), not \(withoutPassword)", input: bytes) }
    if reparsed.description != printed { violated("\(printed) prints again as \(reparsed.description)", input: bytes) }
    return 0
}
