/// Why the server refused a request or a connection before (or instead of) a responder
/// answering it. The raw values are the `reason` label of the rejection counter.
public enum HTTPRejection: String, Sendable, CaseIterable {
    case headerTimeout = "header_timeout"
    case bodyTimeout = "body_timeout"
    case idleTimeout = "idle_timeout"
    case writeTimeout = "write_timeout"
    case requestLineTooLong = "request_line_too_long"
    case headersTooLarge = "headers_too_large"
    case bodyTooLarge = "body_too_large"
    case malformed
    case invalidTarget = "invalid_target"
    case unsupportedTransferCoding = "unsupported_transfer_coding"
    case unsupportedVersion = "unsupported_version"
    case expectationFailed = "expectation_failed"
    case tooManyConnections = "too_many_connections"
    case acceptResourceExhausted = "accept_resource_exhausted"
    /// A request needed more buffer than the server-wide request-buffer budget had left (503).
    case requestBuffersFull = "request_buffers_full"
    /// Not the client's fault: the responder's answer had a header value with a control
    /// character (``HTTPResponse/appendHeader(_:untrustedValue:)``); a 500 went instead.
    case invalidResponseHeader = "invalid_response_header"

    /// The rejection a parse error stands for.
    init(_ error: HTTPParseError) {
        switch error {
        case .requestLineTooLong: self = .requestLineTooLong
        case .headerSectionTooLarge, .tooManyHeaders: self = .headersTooLarge
        case .bodyTooLarge: self = .bodyTooLarge
        case .unsupportedTransferCoding: self = .unsupportedTransferCoding
        case .unsupportedVersion: self = .unsupportedVersion
        case .expectationFailed: self = .expectationFailed
        default: self = .malformed
        }
    }
}
