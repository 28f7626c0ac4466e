/// Why a request could not be parsed, with the status barkd answers. After any of these
/// the message framing is uncertain, so the connection is closed after the answer.
public enum HTTPParseError: Error, Equatable, Sendable {
    case invalidRequestLine
    case invalidTarget
    case unsupportedVersion
    case requestLineTooLong
    case headerSectionTooLarge
    case tooManyHeaders
    case invalidHeaderName
    case invalidHeaderValue
    case obsoleteLineFolding
    case whitespaceBeforeColon
    case bareCarriageReturn
    /// A line ended by LF alone where RFC 9112 requires CRLF: the RFC lets a recipient
    /// accept it, and a proxy that does while another does not is how requests are smuggled.
    case bareLineFeed
    case missingHost
    case multipleHosts
    /// A Host value that is not `uri-host [ ":" port ]` (``URIAuthority``).
    case invalidHost
    /// An `Expect` with anything but `100-continue` (RFC 9110 §10.1.1): 417.
    case expectationFailed
    case invalidContentLength
    case multipleContentLengths
    case contentLengthWithTransferEncoding
    case unsupportedTransferCoding
    case transferEncodingInHTTP10
    case bodyTooLarge
    case invalidChunk
    case chunkLineTooLong
    case framingFieldInTrailer
    case incompleteMessage

    /// The response status for this error.
    public var status: HTTPStatus {
        switch self {
        case .requestLineTooLong: .uriTooLong
        case .headerSectionTooLarge, .tooManyHeaders: .headerFieldsTooLarge
        case .bodyTooLarge: .contentTooLarge
        case .unsupportedTransferCoding: .notImplemented
        case .unsupportedVersion: .versionNotSupported
        case .expectationFailed: .expectationFailed
        default: .badRequest
        }
    }

    /// A short, stable reason: the response body's `error` and the metric label.
    public var reason: String {
        switch self {
        case .invalidRequestLine: "invalid request line"
        case .invalidTarget: "invalid request target"
        case .unsupportedVersion: "unsupported HTTP version"
        case .requestLineTooLong: "request line too long"
        case .headerSectionTooLarge: "header section too large"
        case .tooManyHeaders: "too many header fields"
        case .invalidHeaderName: "invalid header name"
        case .invalidHeaderValue: "invalid header value"
        case .obsoleteLineFolding: "obsolete line folding"
        case .whitespaceBeforeColon: "whitespace before colon"
        case .bareCarriageReturn: "bare carriage return"
        case .bareLineFeed: "bare line feed"
        case .missingHost: "missing Host header"
        case .multipleHosts: "multiple Host headers"
        case .invalidHost: "invalid Host header"
        case .expectationFailed: "unsupported expectation"
        case .invalidContentLength: "invalid Content-Length"
        case .multipleContentLengths: "multiple Content-Length headers"
        case .contentLengthWithTransferEncoding: "Content-Length with Transfer-Encoding"
        case .unsupportedTransferCoding: "unsupported transfer coding"
        case .transferEncodingInHTTP10: "Transfer-Encoding in HTTP/1.0"
        case .bodyTooLarge: "body too large"
        case .invalidChunk: "invalid chunked encoding"
        case .chunkLineTooLong: "chunk line too long"
        case .framingFieldInTrailer: "framing field in trailer"
        case .incompleteMessage: "incomplete message"
        }
    }
}
