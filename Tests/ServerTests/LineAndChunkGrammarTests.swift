import Testing

@testable import Server

/// Line endings, empty lines before a request, chunk extensions and `Expect` (RFC 9112
/// §2.2, §7.1.1; RFC 9110 §10.1.1).
@Suite("Parser: line and chunk grammar, expectations")
struct LineAndChunkGrammarTests {
    static func chunked(_ body: String) -> String {
        "POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n" + body
    }

    @Test(arguments: [
        "GET / HTTP/1.1\nHost: a\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\nX: b\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\n\n",
        "GET / HTTP/1.1\nHost: a\n\n",
        "\nGET / HTTP/1.1\r\nHost: a\r\n\r\n",
        "\r\n\nGET / HTTP/1.1\r\nHost: a\r\n\r\n",
        "POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\nX-T: v\n\r\n",
        "POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\n\n",
    ])
    func rejectsABareLineFeed(_ text: String) {
        #expect(failure(text) == .bareLineFeed, "\(text.debugDescription)")
        #expect(HTTPParseError.bareLineFeed.status.code == 400)
    }

    @Test func aBareLineFeedInAChunkSizeLineIsAnInvalidChunk() {
        #expect(failure(Self.chunked("1\nx\r\n0\r\n\r\n")) == .invalidChunk)
        #expect(failure(Self.chunked("1\r\nx\r\n0\n\r\n")) == .invalidChunk)
    }

    @Test func aLoneCarriageReturnBeforeTheRequestLineIsRefused() {
        #expect(failure("\rGET / HTTP/1.1\r\nHost: a\r\n\r\n") == .bareCarriageReturn)
        #expect(parse("\r").0 == .needMore)
        #expect(parse("\r\n\r\n").0 == .needMore)
    }

    @Test(arguments: [
        "5;name=value", "5;name", "5;a;b=c;d=\"e\"", "5;n=\"quoted value\"", "5;n=\"a\\\"b\"", "5;n=\"\\\\\"", "5 ;a", "5\t;a",
        "5; a", "5;a =b", "5;a= b", "5;a = b ;c", "5;n=\"é\"",
    ])
    func acceptsChunkExtension(_ line: String) throws {
        let message = try #require(parsedMessage(parse(Self.chunked(line + "\r\nhello\r\n0\r\n\r\n")).0), "\(line)")
        #expect(message.body == .decoded(Array("hello".utf8)))
    }

    @Test(arguments: [
        "5;", "5;;a", "5 ", "5\t", "5 \t", "5;a ", "5;a=", "5;a= ", "5;=b", "5;a=b c", "5;a=b\tc", "5;a=\"b", "5;a=\"b\"c",
        "5;a=é", "5;a=b;", "5;a\u{7F}", "5;a=\"\u{1}\"", "5 x", "5;a==b", "5;a=b=c", "5;a,b", "5;a=\"b\\",
    ])
    func rejectsChunkExtension(_ line: String) {
        #expect(failure(Self.chunked(line + "\r\nhello\r\n0\r\n\r\n")) == .invalidChunk, "\(line.debugDescription)")
    }

    @Test func aTrailerSectionIsHeldToTheHeaderLimitInOneReadToo() {
        var limits = HTTPLimits()
        limits.maxHeaderBytes = 100
        let within = Self.chunked("1\r\nx\r\n0\r\nX-T: " + String(repeating: "t", count: 80) + "\r\n\r\n")
        #expect(parsedMessage(parse(within, limits: limits).0) != nil)
        let beyond = Self.chunked("1\r\nx\r\n0\r\nX-T: " + String(repeating: "t", count: 120) + "\r\n\r\n")
        #expect(parse(beyond, limits: limits).0 == .failure(.headerSectionTooLarge))
        #expect(parse(beyond, chunkSize: 3, limits: limits).0 == .failure(.headerSectionTooLarge))
        let manyLines = Self.chunked("1\r\nx\r\n0\r\n" + String(repeating: "X-T: 123456\r\n", count: 9) + "\r\n")
        #expect(parse(manyLines, limits: limits).0 == .failure(.headerSectionTooLarge))
    }

    @Test func aLongRequestLineWithoutSpacesIs414WhereverTheReadEnds() {
        var limits = HTTPLimits()
        limits.maxRequestLineBytes = 32
        let line = String(repeating: "A", count: 50) + "\u{1}\r\n\r\n"
        for step in [1, 7, 33, 34, 35, 50, 51, 100] {
            #expect(parse(line, chunkSize: step, limits: limits).0 == .failure(.requestLineTooLong), "step \(step)")
        }
    }

    // MARK: - Expect

    @Test(arguments: ["100-continue", "100-Continue", "100-CONTINUE", " 100-continue ", "100-continue, 100-continue", ""])
    func acceptsExpectation(_ value: String) {
        #expect(parsedMessage(parse("GET / HTTP/1.1\r\nHost: a\r\nExpect: \(value)\r\n\r\n").0) != nil, "\(value)")
    }

    @Test(arguments: ["gzip", "100-continue, foo", "100-continue;x=1", "100", "200-ok", "something"])
    func refusesOtherExpectationsWith417(_ value: String) {
        #expect(failure("GET / HTTP/1.1\r\nHost: a\r\nExpect: \(value)\r\n\r\n") == .expectationFailed, "\(value)")
        #expect(failure("GET / HTTP/1.0\r\nExpect: \(value)\r\n\r\n") == .expectationFailed, "\(value)")
        #expect(HTTPParseError.expectationFailed.status.code == 417)
    }

    @Test func anHTTP10ExpectationOfContinueIsIgnored() {
        var parser = HTTPRequestParser()
        var fields: [HTTPHeaderField] = []
        let head = Array("PUT /x HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n".utf8)
        #expect(head.withUnsafeBytes { parser.parse($0, fields: &fields) } == .needMore)
        #expect(parser.headAwaitingBody?.expectsContinue == false)
    }
}
