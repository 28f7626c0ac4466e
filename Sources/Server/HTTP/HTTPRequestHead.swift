/// A header field as byte ranges into the connection's read buffer (relative to the start
/// of the message): the parser records where fields are and copies nothing.
public struct HTTPHeaderField: Sendable, Equatable {
    public var name: Range<Int>
    public var value: Range<Int>
}

/// How the body of a request is delimited.
public enum HTTPBodyFraming: Sendable, Equatable {
    case none
    case contentLength(Int)
    case chunked
}

/// The request line and the header facts that decide framing and connection handling.
public struct HTTPRequestHead: Sendable, Equatable {
    public var method: HTTPMethod
    /// The request target's bytes.
    public var target: Range<Int>
    public var version: HTTPVersion
    /// Offset just past the blank line that ends the header section.
    public var headerEnd: Int
    /// Whether the connection may carry another request after this one.
    public var keepAlive: Bool
    /// Whether the client sent `Expect: 100-continue`.
    public var expectsContinue: Bool
    public var framing: HTTPBodyFraming
}

/// A body as the parser found it: a range of the read buffer (Content-Length) or the
/// decoded bytes of a chunked body.
public enum HTTPParsedBody: Sendable, Equatable {
    case none
    case range(Range<Int>)
    case decoded([UInt8])
}

/// One complete request message.
public struct HTTPParsedMessage: Sendable, Equatable {
    public var head: HTTPRequestHead
    public var body: HTTPParsedBody
    /// How many bytes of the buffer the message occupies (head, body and trailers).
    public var length: Int
}

/// What one call to ``HTTPRequestParser/parse(_:fields:)`` found.
public enum HTTPParseResult: Sendable, Equatable {
    /// The buffer holds no complete message yet: read more and call again with the
    /// same bytes at the front.
    case needMore
    case complete(HTTPParsedMessage)
    case failure(HTTPParseError)
}
