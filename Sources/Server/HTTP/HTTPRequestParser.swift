import Glibc

/// The strict HTTP/1.1 request parser (RFC 9112), a plain value-type state machine.
///
/// It reads the unconsumed bytes at the front of a connection's buffer and remembers how
/// far it got, so bytes arriving one at a time are scanned once. Header fields are
/// recorded as ranges into the buffer; nothing is copied but a chunked body's decoded bytes.
/// Rejected (each with its status, see ``HTTPParseError``): a bare LF where CRLF is
/// required, obs-fold, whitespace before the colon, a CR not followed by LF, control
/// characters in values, a missing, repeated or malformed Host in 1.1, a target with a
/// fragment or a backslash, Content-Length with Transfer-Encoding, a repeated or invalid
/// Content-Length, transfer codings other than `chunked` (501), an `Expect` other than
/// `100-continue` (417), and every limit in ``HTTPLimits``. Empty lines before a request
/// line are ignored (RFC 9112 §2.2).
///
/// The verdict does not depend on how the bytes are split into reads: the head is
/// examined in byte order and never past a limit, so the first byte that decides (a bad
/// byte, or the one that crosses a limit) decides alike in one read or in many.
public struct HTTPRequestParser: Sendable {
    public var limits: HTTPLimits
    private var state: State = .head(HeadScan())

    private enum State: Sendable {
        case head(HeadScan)
        case body(HTTPRequestHead, length: Int)
        case chunked(HTTPRequestHead, ChunkedBodyDecoder)
    }

    /// How far the scan of an incomplete head got.
    private struct HeadScan: Sendable, Equatable {
        /// Offset of the request line, after ignored empty lines.
        var lineStart = 0
        /// Offset up to which the method was checked; nil once its space was seen.
        var methodCheckedTo: Int? = 0
        /// Offset at which the next line feed is searched: the start of a line.
        var searchFrom = 0
        /// Whether the request line's CRLF was seen.
        var sawRequestLineEnd = false
    }

    public init(limits: HTTPLimits = HTTPLimits()) {
        self.limits = limits
    }

    /// True between messages, when no byte of the next one has been examined.
    public var isAtMessageStart: Bool {
        if case .head(let scan) = state { return scan == HeadScan() }
        return false
    }

    /// The most bytes the message being parsed may occupy from its first byte: what a
    /// connection's read buffer may grow to for it. While the head is incomplete, the
    /// header limit and one byte over it (which decides the 431); then the head and this
    /// request's own body limit (not the largest any route grants: an anonymous request
    /// cannot make its connection hold an upload's worth), and for a chunked body room
    /// for its framing — chunk lines and extensions as many bytes again as the body, one
    /// chunk line and a trailer section.
    public var messageBytesBound: Int {
        switch state {
        case .head: limits.maxHeaderBytes + 1
        case .body(let head, let length): head.headerEnd + length
        case .chunked(let head, let decoder):
            head.headerEnd + 2 * decoder.maxBodyBytes + limits.maxChunkLineBytes + limits.maxHeaderBytes
        }
    }

    /// The head of a message whose body is still being read, if any.
    public var headAwaitingBody: HTTPRequestHead? {
        switch state {
        case .head: nil
        case .body(let head, _): head
        case .chunked(let head, _): head
        }
    }

    /// Forgets any partial message (after a complete one was consumed, or an error).
    public mutating func reset() {
        state = .head(HeadScan())
    }

    /// Parses the message at the front of `buffer`. On `.complete` and `.failure` the
    /// parser resets itself; the caller drops `length` bytes (or the connection).
    public mutating func parse(_ buffer: UnsafeRawBufferPointer, fields: inout [HTTPHeaderField]) -> HTTPParseResult {
        let result: HTTPParseResult
        switch state {
        case .head(let scan):
            result = parseHead(buffer, scan: scan, fields: &fields)
        case .body(let head, let length):
            result = finishLengthBody(buffer, head: head, length: length)
        case .chunked(let head, var decoder):
            result = continueChunked(buffer, head: head, decoder: &decoder, fields: &fields)
        }
        switch result {
        case .complete, .failure: reset()
        case .needMore: break
        }
        return result
    }

    // MARK: - Head

    private mutating func parseHead(_ buffer: UnsafeRawBufferPointer, scan: HeadScan, fields: inout [HTTPHeaderField]) -> HTTPParseResult {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return .needMore }
        var scan = scan
        if !scan.sawRequestLineEnd {
            if let error = scanRequestLine(buffer, scan: &scan) { return .failure(error) }
            if !scan.sawRequestLineEnd {
                state = .head(scan)
                return .needMore
            }
        }
        // Field lines, up to the blank line; nothing past the header limit is examined.
        let limit = min(buffer.count, limits.maxHeaderBytes + 1)
        var position = scan.searchFrom
        while position < limit, let found = memchr(base + position, 0x0A, limit - position) {
            let lineFeed = base.distance(to: UnsafeRawPointer(found))
            guard lineFeed > position, buffer[lineFeed - 1] == 0x0D else { return .failure(.bareLineFeed) }
            let end = lineFeed + 1
            if lineFeed == position + 1 {
                if end > limits.maxHeaderBytes { return .failure(.headerSectionTooLarge) }
                return parseCompleteHead(buffer, lineStart: scan.lineStart, headerEnd: end, fields: &fields)
            }
            position = end
        }
        if buffer.count > limits.maxHeaderBytes { return .failure(.headerSectionTooLarge) }
        scan.searchFrom = position
        state = .head(scan)
        return .needMore
    }

    /// Scans the request line as it arrives: skips empty lines before it, rejects at once
    /// a method that cannot become valid (binary, a TLS handshake, a lone LF), and finds
    /// the line's end (`scan.sawRequestLineEnd`). Looks no further than the request-line
    /// and header limits, and reports whichever of them is crossed first.
    private func scanRequestLine(_ buffer: UnsafeRawBufferPointer, scan: inout HeadScan) -> HTTPParseError? {
        if scan.methodCheckedTo == scan.lineStart {
            let skipLimit = min(buffer.count, limits.maxHeaderBytes + 1)
            while scan.lineStart + 1 < skipLimit, buffer[scan.lineStart] == 0x0D, buffer[scan.lineStart + 1] == 0x0A {
                scan.lineStart += 2
            }
            scan.methodCheckedTo = scan.lineStart
            scan.searchFrom = scan.lineStart
        }
        let lineBound = scan.lineStart + limits.maxRequestLineBytes + 2  // the LF of a line of the longest length is at bound - 1
        let headerBound = limits.maxHeaderBytes + 1
        let bound = min(lineBound, headerBound)
        let regionEnd = min(buffer.count, bound)
        if var index = scan.methodCheckedTo {
            var methodEnded = false
            while index < regionEnd {
                let byte = buffer[index]
                if ByteClass.isToken(byte) {
                    index += 1
                    continue
                }
                if index == scan.lineStart {
                    if byte == 0x0A { return .bareLineFeed }
                    if byte == 0x0D {
                        // A CRLF within the limits was skipped above; the byte after this CR
                        // decides only if it is within them too.
                        if index + 1 < regionEnd { return .bareCarriageReturn }
                        break
                    }
                }
                if byte != 0x20 || index == scan.lineStart { return .invalidRequestLine }
                methodEnded = true
                break
            }
            scan.methodCheckedTo = methodEnded ? nil : index
        }
        if scan.methodCheckedTo == nil, scan.searchFrom < regionEnd, let base = buffer.baseAddress,
            let found = memchr(base + scan.searchFrom, 0x0A, regionEnd - scan.searchFrom)
        {
            let lineFeed = base.distance(to: UnsafeRawPointer(found))
            guard buffer[lineFeed - 1] == 0x0D else { return .bareLineFeed }
            scan.sawRequestLineEnd = true
            scan.searchFrom = lineFeed + 1
            return nil
        }
        if scan.methodCheckedTo == nil { scan.searchFrom = regionEnd }
        if buffer.count >= bound { return lineBound <= headerBound ? .requestLineTooLong : .headerSectionTooLarge }
        return nil
    }

    private mutating func parseCompleteHead(
        _ buffer: UnsafeRawBufferPointer, lineStart: Int, headerEnd: Int, fields: inout [HTTPHeaderField]
    ) -> HTTPParseResult {
        fields.removeAll(keepingCapacity: true)
        var cursor = lineStart
        let requestLine: RequestLine
        switch Self.parseRequestLine(buffer, cursor: &cursor) {
        case .success(let line): requestLine = line
        case .failure(let error): return .failure(error)
        }
        var facts = HeaderFacts()
        while true {
            switch parseFieldLine(buffer, cursor: &cursor, end: headerEnd, fields: &fields, facts: &facts) {
            case .failure(let error): return .failure(error)
            case .success(false): continue
            case .success(true): break
            }
            break
        }
        return decideFraming(buffer, requestLine: requestLine, facts: facts, headerEnd: headerEnd, fields: &fields)
    }

    private struct RequestLine {
        var method: HTTPMethod
        var target: Range<Int>
        var version: HTTPVersion
    }

    /// Parses the request line starting at `cursor` (which it moves past the line's CRLF).
    private static func parseRequestLine(_ buffer: UnsafeRawBufferPointer, cursor: inout Int) -> Result<RequestLine, HTTPParseError> {
        let lineStart = cursor
        var index = lineStart
        while index < buffer.count, ByteClass.isToken(buffer[index]) { index += 1 }
        guard index > lineStart, index < buffer.count, buffer[index] == 0x20 else { return .failure(lineError(buffer, at: index)) }
        let method = HTTPMethod(token: UnsafeRawBufferPointer(rebasing: buffer[lineStart..<index]))
        index += 1
        let targetStart = index
        while index < buffer.count, ByteClass.isTarget(buffer[index]) { index += 1 }
        guard index < buffer.count else { return .failure(.invalidRequestLine) }
        guard buffer[index] == 0x20 else {
            let byte = buffer[index]
            return .failure(
                byte == 0x0D || byte == 0x0A
                    ? lineError(buffer, at: index)
                    : (byte >= 0x80 || byte < 0x20 || byte == 0x7F || byte == UInt8(ascii: "#") || byte == UInt8(ascii: "\\")
                        ? .invalidTarget : .invalidRequestLine))
        }
        guard index > targetStart else { return .failure(.invalidRequestLine) }
        let target = targetStart..<index
        index += 1
        // HTTP-version = "HTTP/" DIGIT "." DIGIT
        guard index + 8 <= buffer.count,
            buffer[index] == UInt8(ascii: "H"), buffer[index + 1] == UInt8(ascii: "T"),
            buffer[index + 2] == UInt8(ascii: "T"), buffer[index + 3] == UInt8(ascii: "P"),
            buffer[index + 4] == UInt8(ascii: "/"), isDigit(buffer[index + 5]),
            buffer[index + 6] == UInt8(ascii: "."), isDigit(buffer[index + 7])
        else { return .failure(.invalidRequestLine) }
        let major = buffer[index + 5] - UInt8(ascii: "0")
        let minor = buffer[index + 7] - UInt8(ascii: "0")
        index += 8
        guard let lineEnd = consumeLineEnd(buffer, at: index) else { return .failure(lineError(buffer, at: index)) }
        cursor = lineEnd
        guard major == 1, minor <= 1 else { return .failure(.unsupportedVersion) }
        if let error = RequestTargetForm.error(method: method, target: UnsafeRawBufferPointer(rebasing: buffer[target])) {
            return .failure(error)
        }
        return .success(RequestLine(method: method, target: target, version: minor == 1 ? .http1_1 : .http1_0))
    }

    @inline(__always) private static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    /// The offset after a CRLF at `index`, or nil.
    @inline(__always) private static func consumeLineEnd(_ buffer: UnsafeRawBufferPointer, at index: Int) -> Int? {
        guard index + 1 < buffer.count, buffer[index] == 0x0D, buffer[index + 1] == 0x0A else { return nil }
        return index + 2
    }

    /// A CR that does not end a line and a LF without its CR are their own errors;
    /// anything else is a bad line.
    private static func lineError(_ buffer: UnsafeRawBufferPointer, at index: Int) -> HTTPParseError {
        if index < buffer.count, buffer[index] == 0x0D { return .bareCarriageReturn }
        if index < buffer.count, buffer[index] == 0x0A { return .bareLineFeed }
        return .invalidRequestLine
    }

    /// What the header section says about framing and the connection.
    struct HeaderFacts {
        var hostCount = 0
        var hostInvalid = false
        var contentLength: Int?
        var contentLengthTooLarge = false
        var transferEncodingCount = 0
        var transferEncodingIsChunked = false
        var connectionClose = false
        var connectionKeepAlive = false
        var expectsContinue = false
        var unsupportedExpectation = false
    }

    /// Parses one field line at `cursor`; `.success(true)` at the blank line ending the section.
    private mutating func parseFieldLine(
        _ buffer: UnsafeRawBufferPointer, cursor: inout Int, end: Int,
        fields: inout [HTTPHeaderField], facts: inout HeaderFacts
    ) -> Result<Bool, HTTPParseError> {
        switch Self.parseField(buffer, cursor: &cursor, limits: limits, count: fields.count) {
        case .failure(let error): return .failure(error)
        case .success(nil): return .success(true)
        case .success(let field?):
            fields.append(field)
            Self.record(field, in: buffer, facts: &facts)
            return .success(false)
        }
    }

    /// Parses `name: value` at `cursor` (nil at a blank line). Shared by the header and
    /// trailer sections.
    static func parseField(
        _ buffer: UnsafeRawBufferPointer, cursor: inout Int, limits: HTTPLimits, count: Int
    ) -> Result<HTTPHeaderField?, HTTPParseError> {
        let start = cursor
        if let lineEnd = consumeLineEnd(buffer, at: start) {
            cursor = lineEnd
            return .success(nil)
        }
        guard start < buffer.count else { return .failure(.incompleteMessage) }
        let first = buffer[start]
        if first == 0x0A { return .failure(.bareLineFeed) }
        if first == 0x20 || first == 0x09 { return .failure(.obsoleteLineFolding) }
        if count >= limits.maxHeaderCount { return .failure(.tooManyHeaders) }
        var index = start
        while index < buffer.count, ByteClass.isToken(buffer[index]) { index += 1 }
        guard index < buffer.count else { return .failure(.incompleteMessage) }
        if buffer[index] != UInt8(ascii: ":") {
            if buffer[index] == 0x20 || buffer[index] == 0x09 { return .failure(.whitespaceBeforeColon) }
            if buffer[index] == 0x0D, index + 1 < buffer.count, buffer[index + 1] != 0x0A { return .failure(.bareCarriageReturn) }
            return .failure(.invalidHeaderName)
        }
        guard index > start else { return .failure(.invalidHeaderName) }
        let name = start..<index
        index += 1
        while index < buffer.count, buffer[index] == 0x20 || buffer[index] == 0x09 { index += 1 }
        let valueStart = index
        var valueEnd = index
        while index < buffer.count {
            let byte = buffer[index]
            if ByteClass.isFieldValue(byte) {
                if byte != 0x20 && byte != 0x09 { valueEnd = index + 1 }
                index += 1
                continue
            }
            if byte == 0x0D && index + 1 < buffer.count && buffer[index + 1] == 0x0A { break }
            return .failure(byte == 0x0D ? .bareCarriageReturn : (byte == 0x0A ? .bareLineFeed : .invalidHeaderValue))
        }
        guard let lineEnd = consumeLineEnd(buffer, at: index) else { return .failure(.incompleteMessage) }
        cursor = lineEnd
        return .success(HTTPHeaderField(name: name, value: valueStart..<valueEnd))
    }

    /// The longest Content-Length value accepted, leading zeros included (h11's limit).
    static let maximumContentLengthDigits = 20

    private static func record(_ field: HTTPHeaderField, in buffer: UnsafeRawBufferPointer, facts: inout HeaderFacts) {
        let name = UnsafeRawBufferPointer(rebasing: buffer[field.name])
        let value = UnsafeRawBufferPointer(rebasing: buffer[field.value])
        switch name.count {
        case 4 where ByteClass.equalsLowercase(name, "host"):
            facts.hostCount += 1
            if !URIAuthority.isValid(value) { facts.hostInvalid = true }
        case 14 where ByteClass.equalsLowercase(name, "content-length"):
            if facts.contentLength != nil || facts.contentLengthTooLarge {
                facts.contentLength = -2  // repeated
                return
            }
            // More than 20 digits is refused as invalid, as h11 does: no honest sender pads
            // a length that far, and a proxy that agrees with h11 must not see a different
            // message (found by the h11 differential fuzzer).
            guard !value.isEmpty, value.count <= Self.maximumContentLengthDigits, value.allSatisfy(isDigit) else {
                facts.contentLength = -1  // invalid
                return
            }
            let significant = value.drop { $0 == UInt8(ascii: "0") }
            if significant.count > 18 {
                facts.contentLengthTooLarge = true
                facts.contentLength = Int.max
                return
            }
            facts.contentLength = significant.reduce(0) { $0 * 10 + Int($1 - 0x30) }
        case 17 where ByteClass.equalsLowercase(name, "transfer-encoding"):
            facts.transferEncodingCount += 1
            facts.transferEncodingIsChunked = ByteClass.equalsLowercase(value, "chunked")
        case 10 where ByteClass.equalsLowercase(name, "connection"):
            forEachToken(value) { token in
                if ByteClass.equalsLowercase(token, "close") { facts.connectionClose = true }
                if ByteClass.equalsLowercase(token, "keep-alive") { facts.connectionKeepAlive = true }
            }
        case 6 where ByteClass.equalsLowercase(name, "expect"):
            // Expect = #expectation; the only one defined is 100-continue (RFC 9110 §10.1.1).
            forEachToken(value) { token in
                if ByteClass.equalsLowercase(token, "100-continue") {
                    facts.expectsContinue = true
                } else {
                    facts.unsupportedExpectation = true
                }
            }
        default:
            break
        }
    }

    /// The value of the first field named `name` (lowercase), if any.
    static func fieldValue(named name: StaticString, in buffer: UnsafeRawBufferPointer, fields: [HTTPHeaderField]) -> UnsafeRawBufferPointer? {
        for field in fields where field.name.count == name.utf8CodeUnitCount {
            if ByteClass.equalsLowercase(UnsafeRawBufferPointer(rebasing: buffer[field.name]), name) {
                return UnsafeRawBufferPointer(rebasing: buffer[field.value])
            }
        }
        return nil
    }

    /// Calls `body` with each comma-separated element of `value`, trimmed of whitespace.
    static func forEachToken(_ value: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) -> Void) {
        var start = 0
        while start <= value.count {
            var end = start
            while end < value.count, value[end] != UInt8(ascii: ",") { end += 1 }
            var lower = start
            var upper = end
            while lower < upper, value[lower] == 0x20 || value[lower] == 0x09 { lower += 1 }
            while upper > lower, value[upper - 1] == 0x20 || value[upper - 1] == 0x09 { upper -= 1 }
            if upper > lower { body(UnsafeRawBufferPointer(rebasing: value[lower..<upper])) }
            start = end + 1
        }
    }

    private mutating func decideFraming(
        _ buffer: UnsafeRawBufferPointer, requestLine: RequestLine, facts: HeaderFacts, headerEnd: Int,
        fields: inout [HTTPHeaderField]
    ) -> HTTPParseResult {
        if requestLine.version == .http1_1 && facts.hostCount == 0 { return .failure(.missingHost) }
        if facts.hostCount > 1 { return .failure(.multipleHosts) }
        if facts.hostInvalid { return .failure(.invalidHost) }
        if facts.contentLength == -2 { return .failure(.multipleContentLengths) }
        if facts.contentLength == -1 { return .failure(.invalidContentLength) }
        let framing: HTTPBodyFraming
        let maxBodyBytes =
            facts.transferEncodingCount > 0 || (facts.contentLength ?? 0) > 0
            ? limits.maxBodyBytes(method: requestLine.method, target: UnsafeRawBufferPointer(rebasing: buffer[requestLine.target])) { name in
                Self.fieldValue(named: name, in: buffer, fields: fields)
            }
            : limits.maxBodyBytes
        if facts.transferEncodingCount > 0 {
            if facts.contentLength != nil { return .failure(.contentLengthWithTransferEncoding) }
            if requestLine.version == .http1_0 { return .failure(.transferEncodingInHTTP10) }
            guard facts.transferEncodingCount == 1, facts.transferEncodingIsChunked else {
                return .failure(.unsupportedTransferCoding)
            }
            framing = .chunked
        } else if let length = facts.contentLength, length > 0 {
            if length > maxBodyBytes { return .failure(.bodyTooLarge) }
            framing = .contentLength(length)
        } else {
            framing = .none
        }
        if facts.unsupportedExpectation { return .failure(.expectationFailed) }
        let keepAlive = requestLine.version == .http1_1 ? !facts.connectionClose : (facts.connectionKeepAlive && !facts.connectionClose)
        let head = HTTPRequestHead(
            method: requestLine.method, target: requestLine.target, version: requestLine.version,
            headerEnd: headerEnd, keepAlive: keepAlive,
            // An HTTP/1.0 client cannot read a 100 (Continue): its expectation is ignored.
            expectsContinue: facts.expectsContinue && requestLine.version == .http1_1, framing: framing
        )
        switch framing {
        case .none:
            return .complete(HTTPParsedMessage(head: head, body: .none, length: headerEnd))
        case .contentLength(let length):
            return finishLengthBody(buffer, head: head, length: length)
        case .chunked:
            var decoder = ChunkedBodyDecoder(position: headerEnd, maxBodyBytes: maxBodyBytes)
            return continueChunked(buffer, head: head, decoder: &decoder, fields: &fields)
        }
    }

    // MARK: - Body

    private mutating func finishLengthBody(_ buffer: UnsafeRawBufferPointer, head: HTTPRequestHead, length: Int) -> HTTPParseResult {
        let end = head.headerEnd + length
        guard buffer.count >= end else {
            state = .body(head, length: length)
            return .needMore
        }
        return .complete(HTTPParsedMessage(head: head, body: .range(head.headerEnd..<end), length: end))
    }

    private mutating func continueChunked(
        _ buffer: UnsafeRawBufferPointer, head: HTTPRequestHead, decoder: inout ChunkedBodyDecoder,
        fields: inout [HTTPHeaderField]
    ) -> HTTPParseResult {
        switch decoder.decode(buffer, limits: limits, fields: &fields) {
        case .needMore:
            state = .chunked(head, decoder)
            return .needMore
        case .failure(let error):
            return .failure(error)
        case .done(let end):
            return .complete(HTTPParsedMessage(head: head, body: .decoded(decoder.takeBody()), length: end))
        }
    }
}
