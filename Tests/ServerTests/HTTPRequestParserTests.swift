import Testing

@testable import Server

@Suite("HTTP/1.1 request parser")
struct HTTPRequestParserTests {
    @Test func parsesASimpleGet() throws {
        let (result, fields, bytes) = parse("GET /healthcheck?x=1 HTTP/1.1\r\nHost: example.org\r\nAccept:  */* \r\n\r\n")
        let message = try #require(parsedMessage(result))
        #expect(message.head.method == .get)
        #expect(message.head.version == .http1_1)
        #expect(string(bytes, message.head.target) == "/healthcheck?x=1")
        #expect(message.head.keepAlive)
        #expect(message.body == .none)
        #expect(message.length == bytes.count)
        #expect(fields.map { string(bytes, $0.name) } == ["Host", "Accept"])
        #expect(fields.map { string(bytes, $0.value) } == ["example.org", "*/*"])
    }

    @Test(arguments: [1, 2, 3, 7, 64])
    func sameResultWhenBytesArriveInPieces(chunkSize: Int) throws {
        let text = "POST /api HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello"
        let whole = try #require(parsedMessage(parse(text).0))
        let pieces = try #require(parsedMessage(parse(text, chunkSize: chunkSize).0))
        #expect(whole == pieces)
        #expect(whole.body == .range(whole.head.headerEnd..<(whole.head.headerEnd + 5)))
    }

    @Test func needsMoreUntilTheBlankLine() {
        var parser = HTTPRequestParser()
        var fields: [HTTPHeaderField] = []
        let partial = Array("GET / HTTP/1.1\r\nHost: a\r\n".utf8)
        #expect(partial.withUnsafeBytes { parser.parse($0, fields: &fields) } == .needMore)
        let complete = partial + Array("\r\n".utf8)
        #expect(parsedMessage(complete.withUnsafeBytes { parser.parse($0, fields: &fields) }) != nil)
        #expect(parser.isAtMessageStart)
    }

    @Test func ignoresEmptyLinesBeforeTheRequestLine() throws {
        // RFC 9112 §2.2: a client may send a CRLF after a POST body; the next request counts.
        for prefix in ["\r\n", "\r\n\r\n"] {
            let text = prefix + "GET /a HTTP/1.1\r\nHost: a\r\n\r\n"
            for step in [1, 2, 100] {
                let (result, fields, bytes) = parse(text, chunkSize: step)
                let message = try #require(parsedMessage(result))
                #expect(string(bytes, message.head.target) == "/a")
                #expect(message.length == bytes.count)
                #expect(fields.map { string(bytes, $0.value) } == ["a"])
            }
        }
    }

    @Test func http10KeepAliveOnlyOnRequest() throws {
        #expect(try #require(parsedMessage(parse("GET / HTTP/1.0\r\n\r\n").0)).head.keepAlive == false)
        #expect(try #require(parsedMessage(parse("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n").0)).head.keepAlive == true)
        #expect(try #require(parsedMessage(parse("GET / HTTP/1.1\r\nHost: a\r\nConnection: foo, close\r\n\r\n").0)).head.keepAlive == false)
    }

    @Test func recognisesExpectContinue() throws {
        var parser = HTTPRequestParser()
        var fields: [HTTPHeaderField] = []
        let head = Array("PUT /x HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n".utf8)
        #expect(head.withUnsafeBytes { parser.parse($0, fields: &fields) } == .needMore)
        #expect(parser.headAwaitingBody?.expectsContinue == true)
        let full = head + Array("abc".utf8)
        #expect(parsedMessage(full.withUnsafeBytes { parser.parse($0, fields: &fields) }) != nil)
    }

    @Test func decodesChunkedBodiesWithExtensionsAndTrailers() throws {
        let text = "POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;name=value\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: yes\r\n\r\n"
        for chunkSize in [1, 5, 1000] {
            let message = try #require(parsedMessage(parse(text, chunkSize: chunkSize).0))
            #expect(message.body == .decoded(Array("hello world".utf8)))
            #expect(message.length == text.utf8.count)
        }
    }

    @Test func leavesPipelinedBytesUnconsumed() throws {
        let first = "GET /a HTTP/1.1\r\nHost: a\r\n\r\n"
        let (result, _, _) = parse(first + "GET /b HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(try #require(parsedMessage(result)).length == first.utf8.count)
    }

    // MARK: - Rejections

    @Test(arguments: [
        ("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", HTTPParseError.contentLengthWithTransferEncoding),
        ("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc", .multipleContentLengths),
        ("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 3, 3\r\n\r\nabc", .invalidContentLength),
        ("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: +3\r\n\r\nabc", .invalidContentLength),
        // 21 digits: found by the h11 differential fuzzer (h11 refuses it, barkd took it as 5).
        ("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 000000000000000000005\r\n\r\nhello", .invalidContentLength),
        ("GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n b\r\n\r\n", .obsoleteLineFolding),
        ("GET / HTTP/1.1\r\nHost : a\r\n\r\n", .whitespaceBeforeColon),
        ("GET / HTTP/1.1\r\nHost: a\rX: b\r\n\r\n", .bareCarriageReturn),
        ("GET / HTTP/1.1\r\nX: b\r\n\r\n", .missingHost),
        ("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", .multipleHosts),
        ("GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n", .unsupportedTransferCoding),
        ("GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n", .unsupportedTransferCoding),
        ("GET / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", .transferEncodingInHTTP10),
        ("GET / HTTP/1.2\r\nHost: a\r\n\r\n", .unsupportedVersion),
        ("GET / HTTP/2.0\r\nHost: a\r\n\r\n", .unsupportedVersion),
        ("GET / HTTP/1.1 \r\nHost: a\r\n\r\n", .invalidRequestLine),
        ("GET  / HTTP/1.1\r\nHost: a\r\n\r\n", .invalidRequestLine),
        ("G@T / HTTP/1.1\r\nHost: a\r\n\r\n", .invalidRequestLine),
        ("GET / HTTP/1.1\r\nHost: a\r\nX: a\u{1}b\r\n\r\n", .invalidHeaderValue),
        ("GET / HTTP/1.1\r\nHost: a\r\n: empty\r\n\r\n", .invalidHeaderName),
        ("GET / HTTP/1.1\r\nHost: a\r\nNoColon\r\n\r\n", .invalidHeaderName),
        ("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", .invalidChunk),
        ("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX\r\n", .invalidChunk),
        ("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\nabc\r\n", .invalidChunk),
        ("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n12345678901234567\r\n", .invalidChunk),
        ("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\nContent-Length: 1\r\n\r\n", .framingFieldInTrailer),
        ("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\nTransfer-Encoding: chunked\r\n\r\n", .framingFieldInTrailer),
    ])
    func rejects(_ text: String, _ expected: HTTPParseError) {
        #expect(failure(text) == expected)
    }

    @Test func contentLengthLeadingZerosAreNotMagnitude() throws {
        let message = try #require(parsedMessage(parse("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 00000000000000000005\r\n\r\nhello").0))
        #expect(message.head.framing == .contentLength(5))
    }

    @Test func statusesOfRejections() {
        #expect(HTTPParseError.unsupportedTransferCoding.status.code == 501)
        #expect(HTTPParseError.unsupportedVersion.status.code == 505)
        #expect(HTTPParseError.requestLineTooLong.status.code == 414)
        #expect(HTTPParseError.tooManyHeaders.status.code == 431)
        #expect(HTTPParseError.bodyTooLarge.status.code == 413)
        #expect(HTTPParseError.obsoleteLineFolding.status.code == 400)
    }

    @Test func rejectsBinaryAtOnce() {
        // A TLS ClientHello must not make the server wait for a line end.
        var parser = HTTPRequestParser()
        var fields: [HTTPHeaderField] = []
        let hello: [UInt8] = [0x16, 0x03, 0x01, 0x00, 0xA5]
        #expect(hello.withUnsafeBytes { parser.parse($0, fields: &fields) } == .failure(.invalidRequestLine))
    }

    // MARK: - Limits

    @Test func requestLineLimit() {
        var limits = HTTPLimits()
        limits.maxRequestLineBytes = 64
        let long = "GET /" + String(repeating: "a", count: 100) + " HTTP/1.1\r\nHost: a\r\n\r\n"
        #expect(parse(long, limits: limits).0 == .failure(.requestLineTooLong))
        // Also while the line is still arriving, without waiting for its end.
        #expect(parse(String(long.prefix(80)), limits: limits).0 == .failure(.requestLineTooLong))
        #expect(parsedMessage(parse("GET /" + String(repeating: "a", count: 40) + " HTTP/1.1\r\nHost: a\r\n\r\n", limits: limits).0) != nil)
    }

    @Test func headerSizeAndCountLimits() {
        var limits = HTTPLimits()
        limits.maxHeaderBytes = 256
        limits.maxHeaderCount = 5
        let big = "GET / HTTP/1.1\r\nHost: a\r\nX: " + String(repeating: "v", count: 300) + "\r\n\r\n"
        #expect(parse(big, limits: limits).0 == .failure(.headerSectionTooLarge))
        #expect(parse(String(big.prefix(280)), limits: limits).0 == .failure(.headerSectionTooLarge))
        let many = "GET / HTTP/1.1\r\nHost: a\r\n" + (1...5).map { "X\($0): v\r\n" }.joined() + "\r\n"
        #expect(parse(many, limits: limits).0 == .failure(.tooManyHeaders))
    }

    @Test func bodyLimits() {
        var limits = HTTPLimits()
        limits.maxBodyBytes = 10
        #expect(parse("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\n\r\n", limits: limits).0 == .failure(.bodyTooLarge))
        #expect(parse("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999\r\n\r\n", limits: limits).0 == .failure(.bodyTooLarge))
        let chunked = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nabcdef\r\n6\r\nabcdef\r\n0\r\n\r\n"
        #expect(parse(chunked, limits: limits).0 == .failure(.bodyTooLarge))
        let line = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1;" + String(repeating: "e", count: 5000)
        #expect(parse(line).0 == .failure(.chunkLineTooLong))
    }

    @Test func aBodyLimitPolicyRaisesTheLimitOfOneRouteOnly() {
        var limits = HTTPLimits()
        limits.maxBodyBytes = 10
        limits.bodyLimit = OneRouteBodyLimit(path: "/upload", maxBodyBytes: 20, header: nil)
        func lengthRequest(_ method: String, _ target: String, _ length: Int) -> String {
            "\(method) \(target) HTTP/1.1\r\nHost: a\r\nContent-Length: \(length)\r\n\r\n" + String(repeating: "b", count: length)
        }
        #expect(parsedMessage(parse(lengthRequest("POST", "/upload", 20), limits: limits).0) != nil)
        #expect(parsedMessage(parse(lengthRequest("POST", "/upload?title=x", 20), limits: limits).0) != nil)
        #expect(parse(lengthRequest("POST", "/upload", 21), limits: limits).0 == .failure(.bodyTooLarge))
        #expect(parse(lengthRequest("POST", "/other", 11), limits: limits).0 == .failure(.bodyTooLarge))
        #expect(parse(lengthRequest("POST", "/upload/x", 11), limits: limits).0 == .failure(.bodyTooLarge))
        #expect(parse(lengthRequest("POST", "/uploa", 11), limits: limits).0 == .failure(.bodyTooLarge))
        #expect(parse(lengthRequest("PUT", "/upload", 11), limits: limits).0 == .failure(.bodyTooLarge))
        let chunk = "f\r\n" + String(repeating: "c", count: 15) + "\r\n"
        let chunked = { (target: String) in "POST \(target) HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n" + chunk + "0\r\n\r\n" }
        #expect(parsedMessage(parse(chunked("/upload"), limits: limits).0) != nil)
        #expect(parse(chunked("/other"), limits: limits).0 == .failure(.bodyTooLarge))
        let twoChunks = "POST /upload HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n" + chunk + chunk + "0\r\n\r\n"
        #expect(parse(twoChunks, limits: limits).0 == .failure(.bodyTooLarge))
    }

    @Test func aBodyLimitPolicySeesTheHeadersItAsksFor() {
        var limits = HTTPLimits()
        limits.maxBodyBytes = 10
        limits.bodyLimit = OneRouteBodyLimit(path: "/upload", maxBodyBytes: 20, header: "Bearer s3cret")
        func upload(_ authorization: String?) -> HTTPParseResult {
            let header = authorization.map { "Authorization: \($0)\r\n" } ?? ""
            return parse("POST /upload HTTP/1.1\r\nHost: a\r\n\(header)Content-Length: 15\r\n\r\n" + String(repeating: "b", count: 15), limits: limits).0
        }
        #expect(parsedMessage(upload("Bearer s3cret")) != nil)
        #expect(upload(nil) == .failure(.bodyTooLarge))
        #expect(upload("Bearer wrong!") == .failure(.bodyTooLarge))
        #expect(upload("Bearer s3cret2") == .failure(.bodyTooLarge))
    }

    @Test func slowlorisBytesAreScannedOnce() {
        // Feeding a large header section one byte at a time must stay linear: the parser
        // resumes its search where it stopped (this test would time out if quadratic).
        let text = "GET / HTTP/1.1\r\nHost: a\r\n" + (0..<90).map { "X-\($0): " + String(repeating: "v", count: 300) + "\r\n" }.joined() + "\r\n"
        #expect(parsedMessage(parse(text, chunkSize: 1).0) != nil)
    }
}

/// A body-limit policy for the parser's tests: `maxBodyBytes` for `POST path` (with an
/// `Authorization` value equal to `header`, when set), the general limit otherwise.
struct OneRouteBodyLimit: HTTPBodyLimit {
    var path: String
    var maxBodyBytes: Int
    var header: String?

    func maxBodyBytes(
        method: HTTPMethod, target: UnsafeRawBufferPointer, field: (StaticString) -> UnsafeRawBufferPointer?, general: Int
    ) -> Int {
        let routePath = target.prefix { $0 != UInt8(ascii: "?") }
        guard method == .post, routePath.elementsEqual(path.utf8) else { return general }
        if let header {
            guard let value = field("authorization"), value.elementsEqual(header.utf8) else { return general }
        }
        return maxBodyBytes
    }
}
