import Glibc

/// The strict HTTP/1.1 request parser (RFC 9112), a plain value-type state machine.
///
/// It reads the unconsumed bytes at the front of a connection's buffer and remembers how
/// far it got, so bytes arriving one at a time are scanned once. Header fields are
/// recorded as ranges into the buffer; nothing is copied but a chunked body's decoded bytes.
/// Rejected (each with its status, see ``HTTPParseError``): obs-fold, whitespace before
/// the colon, a CR not followed by LF, control characters in values, a missing or
/// repeated Host in 1.1, Content-Length with Transfer-Encoding, a repeated or invalid
/// Content-Length, transfer codings other than `chunked` (501), and every limit in
/// ``HTTPLimits``. A bare LF ends a line, as RFC 9112 §2.2 allows.
public struct HTTPRequestParser: Sendable {
    public var limits: HTTPLimits
    private var state: State = .head(searchFrom: 0, sawLineEnd: false)

    private enum State: Sendable {
        case head(searchFrom: Int, sawLineEnd: Bool)
        case body(HTTPRequestHead, length: Int)
        case chunked(HTTPRequestHead, ChunkedBodyDecoder)
    }

    public init(limits: HTTPLimits = HTTPLimits()) {
        self.limits = limits
    }

    /// True between messages, when no byte of the next one has been examined.
    public var isAtMessageStart: Bool {
        if case .head(0, false) = state { return true }
        return false
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
        state = .head(searchFrom: 0, sawLineEnd: false)
    }

    /// Parses the message at the front of `buffer`. On `.complete` and `.failure` the
    /// parser resets itself; the caller drops `length` bytes (or the connection).
    public mutating func parse(_ buffer: UnsafeRawBufferPointer, fields: inout [HTTPHeaderField]) -> HTTPParseResult {
        let result: HTTPParseResult
        switch state {
        case .head(let searchFrom, let sawLineEnd):
            result = parseHead(buffer, searchFrom: searchFrom, sawLineEnd: sawLineEnd, fields: &fields)
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

    private mutating func parseHead(
        _ buffer: UnsafeRawBufferPointer, searchFrom: Int, sawLineEnd: Bool, fields: inout [HTTPHeaderField]
    ) -> HTTPParseResult {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return .needMore }
        var sawLineEnd = sawLineEnd
        var position = searchFrom
        if !sawLineEnd, let error = Self.earlyRequestLineError(buffer) { return .failure(error) }
        while position < buffer.count {
            guard let found = memchr(base + position, 0x0A, buffer.count - position) else { break }
            let lineFeed = base.distance(to: UnsafeRawPointer(found))
            if !sawLineEnd {
                sawLineEnd = true
                let lineLength = lineFeed > 0 && buffer[lineFeed - 1] == 0x0D ? lineFeed - 1 : lineFeed
                if lineLength > limits.maxRequestLineBytes { return .failure(.requestLineTooLong) }
            } else if buffer[lineFeed - 1] == 0x0A || (lineFeed >= 2 && buffer[lineFeed - 1] == 0x0D && buffer[lineFeed - 2] == 0x0A) {
                let end = lineFeed + 1
                if end > limits.maxHeaderBytes { return .failure(.headerSectionTooLarge) }
                return parseCompleteHead(buffer, headerEnd: end, fields: &fields)
            }
            position = lineFeed + 1
        }
        if !sawLineEnd && buffer.count > limits.maxRequestLineBytes + 1 { return .failure(.requestLineTooLong) }
        if buffer.count > limits.maxHeaderBytes { return .failure(.headerSectionTooLarge) }
        state = .head(searchFrom: position, sawLineEnd: sawLineEnd)
        return .needMore
    }

    /// Rejects at once a request line that cannot become valid: a method with a
    /// non-token byte (binary, TLS handshakes, a leading empty line).
    private static func earlyRequestLineError(_ buffer: UnsafeRawBufferPointer) -> HTTPParseError? {
        for byte in buffer {
            if byte == 0x20 { return nil }
            if !ByteClass.isToken(byte) { return .invalidRequestLine }
        }
        return nil
    }

    private mutating func parseCompleteHead(
        _ buffer: UnsafeRawBufferPointer, headerEnd: Int, fields: inout [HTTPHeaderField]
    ) -> HTTPParseResult {
        fields.removeAll(keepingCapacity: true)
        var cursor = 0
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

    private static func parseRequestLine(_ buffer: UnsafeRawBufferPointer, cursor: inout Int) -> Result<RequestLine, HTTPParseError> {
        var index = 0
        while index < buffer.count, ByteClass.isToken(buffer[index]) { index += 1 }
        guard index > 0, index < buffer.count, buffer[index] == 0x20 else { return .failure(lineError(buffer, at: index)) }
        let method = HTTPMethod(token: UnsafeRawBufferPointer(rebasing: buffer[0..<index]))
        index += 1
        let targetStart = index
        while index < buffer.count, ByteClass.isTarget(buffer[index]) { index += 1 }
        guard index > targetStart, index < buffer.count else { return .failure(.invalidRequestLine) }
        guard buffer[index] == 0x20 else {
            let byte = buffer[index]
            return .failure(
                byte == 0x0D || byte == 0x0A
                    ? lineError(buffer, at: index) : (byte >= 0x80 || byte < 0x20 || byte == 0x7F ? .invalidTarget : .invalidRequestLine))
        }
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
        return .success(RequestLine(method: method, target: target, version: minor == 1 ? .http1_1 : .http1_0))
    }

    @inline(__always) private static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    /// The offset after a line ending (CRLF or bare LF) at `index`, or nil.
    @inline(__always) private static func consumeLineEnd(_ buffer: UnsafeRawBufferPointer, at index: Int) -> Int? {
        guard index < buffer.count else { return nil }
        if buffer[index] == 0x0A { return index + 1 }
        if buffer[index] == 0x0D, index + 1 < buffer.count, buffer[index + 1] == 0x0A { return index + 2 }
        return nil
    }

    /// A CR that does not end a line is its own error; anything else is a bad line.
    private static func lineError(_ buffer: UnsafeRawBufferPointer, at index: Int) -> HTTPParseError {
        if index < buffer.count, buffer[index] == 0x0D { return .bareCarriageReturn }
        return .invalidRequestLine
    }

    /// What the header section says about framing and the connection.
    struct HeaderFacts {
        var hostCount = 0
        var contentLength: Int?
        var contentLengthTooLarge = false
        var transferEncodingCount = 0
        var transferEncodingIsChunked = false
        var connectionClose = false
        var connectionKeepAlive = false
        var expectsContinue = false
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
            if byte == 0x0A || (byte == 0x0D && index + 1 < buffer.count && buffer[index + 1] == 0x0A) { break }
            return .failure(byte == 0x0D ? .bareCarriageReturn : .invalidHeaderValue)
        }
        guard let lineEnd = consumeLineEnd(buffer, at: index) else { return .failure(.incompleteMessage) }
        cursor = lineEnd
        return .success(HTTPHeaderField(name: name, value: valueStart..<valueEnd))
    }

    private static func record(_ field: HTTPHeaderField, in buffer: UnsafeRawBufferPointer, facts: inout HeaderFacts) {
        let name = UnsafeRawBufferPointer(rebasing: buffer[field.name])
        let value = UnsafeRawBufferPointer(rebasing: buffer[field.value])
        switch name.count {
        case 4 where ByteClass.equalsLowercase(name, "host"):
            facts.hostCount += 1
        case 14 where ByteClass.equalsLowercase(name, "content-length"):
            if facts.contentLength != nil || facts.contentLengthTooLarge {
                facts.contentLength = -2  // repeated
                return
            }
            guard !value.isEmpty, value.allSatisfy(isDigit) else {
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
            facts.expectsContinue = ByteClass.equalsLowercase(value, "100-continue")
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
        let keepAlive = requestLine.version == .http1_1 ? !facts.connectionClose : (facts.connectionKeepAlive && !facts.connectionClose)
        let head = HTTPRequestHead(
            method: requestLine.method, target: requestLine.target, version: requestLine.version,
            headerEnd: headerEnd, keepAlive: keepAlive, expectsContinue: facts.expectsContinue, framing: framing
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
