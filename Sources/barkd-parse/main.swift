import Observability
import Server

// Reads raw HTTP requests and prints, as one JSON line each, what barkd's parser made of
// them. Input: one request per line, base64-encoded, on stdin. Output per request:
//   {"verdict":"accept","method":…,"target":…,"version":…,"headers":[[name,value],…],"body":base64}
//   {"verdict":"reject","status":N,"reason":…}
// The whole input is one message followed by end of file: an incomplete message is a reject.
// The differential test (Tests/IntegrationTests) feeds the same bytes to Python's h11.

while let line = readLine() {
    guard let raw = Base64.decode(line) else {
        print(#"{"verdict":"error","reason":"bad base64"}"#)
        continue
    }
    print(ParseReport.report(for: raw))
}
