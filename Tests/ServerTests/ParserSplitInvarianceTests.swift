import Testing

@testable import Server

/// The same bytes get the same verdicts however the reads split them: every request of a
/// corpus (valid, invalid, at and past each limit, pipelined pairs) is parsed in one read
/// and in reads of 1 to 7 bytes, under the default limits and under tight ones that the
/// corpus crosses at many places.
@Suite("Parser: the verdict does not depend on how the bytes are split")
struct ParserSplitInvarianceTests {
    static let single: [String] = [
        "GET / HTTP/1.1\r\nHost: a\r\n\r\n",
        "GET /healthcheck HTTP/1.1\r\nHost: 127.0.0.1:5000\r\nUser-Agent: probe\r\n\r\n",
        "GET / HTTP/1.0\r\n\r\n",
        "\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n",
        "\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n",
        "POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello",
        "POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;a=b;c=\"d e\"\r\nhello\r\n0\r\nX-T: 1\r\n\r\n",
        "POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5 ;a\r\nhello\r\n0\r\n\r\n",
        "OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n",
        "GET http://example.com:80/x?y HTTP/1.1\r\nHost: a\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n",
        "PUT /x HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\nabc",
        // Rejected.
        "GET / HTTP/1.1\nHost: a\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\n\n",
        "\nGET / HTTP/1.1\r\nHost: a\r\n\r\n",
        "\rGET / HTTP/1.1\r\nHost: a\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a b\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: user@a\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a:65536\r\n\r\n",
        "GET /a#b HTTP/1.1\r\nHost: a\r\n\r\n",
        "GET /a\\b HTTP/1.1\r\nHost: a\r\n\r\n",
        "GET * HTTP/1.1\r\nHost: a\r\n\r\n",
        "GET http://u@a/ HTTP/1.1\r\nHost: a\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\nExpect: gzip\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n b\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n",
        "POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;\r\nhello\r\n0\r\n\r\n",
        "POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5 \r\nhello\r\n0\r\n\r\n",
        "POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\nX-T: 1\n\r\n",
        "POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\n",
        "\u{16}\u{3}\u{1}binary",
        "GET / HTTP/1.1\r\n",
        // Around the tight limits: long lines without spaces, long trailers, many fields.
        String(repeating: "A", count: 40) + "\u{1}\r\n\r\n",
        String(repeating: "A", count: 40) + "\r\n\r\n",
        "GET /" + String(repeating: "p", count: 40) + "\u{1} HTTP/1.1\r\nHost: a\r\n\r\n",
        "GET /" + String(repeating: "p", count: 40) + "\n",
        "GET / HTTP/1.1\r\nHost: a\r\nX: " + String(repeating: "v", count: 150) + "\n\r\n",
        "POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\nX-T: " + String(repeating: "t", count: 150)
            + "\r\n\r\n",
        "POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\n" + String(repeating: "X-T: t\r\n", count: 20) + "\r\n",
        "POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1;" + String(repeating: "e", count: 30) + "\r\nx\r\n0\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\n" + (0..<10).map { "X-\($0): v\r\n" }.joined() + "\r\n",
        String(repeating: "\r\n", count: 80) + "GET / HTTP/1.1\r\nHost: a\r\n\r\n",
    ]

    /// Every single request, and pipelined pairs of them.
    static var corpus: [[UInt8]] {
        let messages = single.map { Array($0.utf8) }
        var corpus = messages
        for first in messages.prefix(12) {
            for second in messages { corpus.append(first + second) }
        }
        return corpus
    }

    static var tightLimits: HTTPLimits { .tight }

    @Test func defaultLimits() {
        for bytes in Self.corpus {
            let difference = splitDependence(of: bytes)
            #expect(difference == nil, "\(String(decoding: bytes, as: UTF8.self).debugDescription)")
        }
    }

    @Test func tightLimits() {
        for bytes in Self.corpus {
            let difference = splitDependence(of: bytes, limits: Self.tightLimits)
            #expect(difference == nil, "\(String(decoding: bytes, as: UTF8.self).debugDescription): \(difference ?? "")")
        }
    }

    /// The two requests that used to depend on the split (issue 12): a trailer section past
    /// the header limit (accepted in one read, 431 when it trickled in), and a long
    /// request line without a space (400 or 414 by where the read ended).
    @Test func theTwoSplitDependentRequestsOfIssue12() {
        let limits = Self.tightLimits
        let trailer = Array(
            ("POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\nX-T: " + String(repeating: "t", count: 150) + "\r\n\r\n").utf8)
        #expect(parseOutcomes(trailer, step: nil, limits: limits) == [.failure(.headerSectionTooLarge)])
        #expect(splitDependence(of: trailer, steps: 1...64, limits: limits) == nil)
        let line = Array((String(repeating: "A", count: 40) + "\u{1}\r\n\r\n").utf8)
        #expect(parseOutcomes(line, step: nil, limits: limits) == [.failure(.requestLineTooLong)])
        #expect(splitDependence(of: line, steps: 1...64, limits: limits) == nil)
    }

    /// The check can fail: a parser that saw only part of the bytes gives other outcomes.
    @Test func theComparisonSeesADifference() {
        let bytes = Array("GET / HTTP/1.1\r\nHost: a\r\n\r\nGET /b HTTP/1.1\r\nHost: a\r\n\r\n".utf8)
        #expect(parseOutcomes(bytes, step: nil) != parseOutcomes(Array(bytes.prefix(40)), step: nil))
        #expect(parseOutcomes(bytes, step: 3).count == 2)
    }
}
