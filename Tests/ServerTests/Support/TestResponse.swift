import TestSupport

/// One response as the test client read it: status, header fields in order, body.
struct TestResponse {
    let status: Int
    let headers: [(name: String, value: String)]
    var body: [UInt8] = []

    /// Parses a response head (status line and fields, through the empty line), strictly:
    /// CRLF line ends and `name: value` fields, as barkd must write them.
    init(head: [UInt8]) throws {
        guard head.count >= 4, head.suffix(4).elementsEqual([13, 10, 13, 10]) else {
            throw WaitTimedOut("response head without CRLF CRLF: \(TestClient.show(head))")
        }
        var lines = Self.lines(head.dropLast(4))
        let statusLine = lines.removeFirst()
        let parts = statusLine.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, parts[0] == "HTTP/1.1", let status = Int(parts[1]) else {
            throw WaitTimedOut("bad status line \(String(reflecting: statusLine))")
        }
        self.status = status
        headers = try lines.map { line in
            guard let colon = line.firstIndex(of: ":"), !line.contains("\n"), !line.contains("\r") else {
                throw WaitTimedOut("bad header line \(String(reflecting: line))")
            }
            let value = line[line.index(after: colon)...].drop { $0 == " " }
            return (String(line[..<colon]), String(value))
        }
    }

    /// `bytes` split at each CRLF (a lone CR or LF stays in its line).
    private static func lines(_ bytes: ArraySlice<UInt8>) -> [String] {
        var lines: [String] = []
        var lineStart = bytes.startIndex
        var index = bytes.startIndex
        while index < bytes.endIndex {
            if bytes[index] == 13, index + 1 < bytes.endIndex, bytes[index + 1] == 10 {
                lines.append(String(decoding: bytes[lineStart..<index], as: UTF8.self))
                index += 2
                lineStart = index
            } else {
                index += 1
            }
        }
        lines.append(String(decoding: bytes[lineStart...], as: UTF8.self))
        return lines
    }

    /// Whether a body (and so `Content-Length`) follows the head.
    var hasBody: Bool { status >= 200 && status != 204 && status != 304 }

    /// The values of the field `name` (case-insensitive), in order.
    func headerValues(_ name: String) -> [String] {
        headers.filter { $0.name.lowercased() == name.lowercased() }.map(\.value)
    }

    /// The one value of the field `name`; nil when absent (two values fail the lookup).
    func header(_ name: String) -> String? {
        let values = headerValues(name)
        return values.count == 1 ? values[0] : nil
    }

    /// True when the response ends its connection (`Connection: close`).
    var closes: Bool { header("Connection")?.lowercased() == "close" }

    var text: String { String(decoding: body, as: UTF8.self) }
}
