import Observability

/// A response a handler returns. Framing headers (`Content-Length`, `Connection`,
/// `Date`, `Server`) are added by the connection, never by handlers.
public struct HTTPResponse: Sendable {
    public var status: HTTPStatus
    /// `Content-Type`, written first among the handler's headers.
    public var contentType: String?
    /// Other header fields, in order. Written as they are: put a value that comes from
    /// data rather than code through ``appendHeader(_:untrustedValue:)``.
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
    /// Set when a header value came from data: the connection checks every value before
    /// writing (``hasValidHeaderValues``), so the common response costs one branch.
    private(set) var hasUntrustedHeaders = false

    public init(status: HTTPStatus, contentType: String? = nil, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.status = status
        self.contentType = contentType
        self.headers = headers
        self.body = body
    }

    /// Appends a header field whose value comes from data (a stored row, a client's
    /// input) rather than from code. The connection refuses to write a response with a
    /// value that holds a control character (CR or LF would end the field and start
    /// another: header injection): it answers 500 instead, logs and counts it
    /// (``HTTPRejection/invalidResponseHeader``).
    public mutating func appendHeader(_ name: String, untrustedValue value: String) {
        headers.append((name, value))
        hasUntrustedHeaders = true
    }

    /// Whether `value` may be written as a field value: no control character (NUL, CR,
    /// LF and the others below 0x20, and DEL) except horizontal tab (RFC 9110 §5.5).
    public static func isValidFieldValue(_ value: some StringProtocol) -> Bool {
        !value.utf8.contains { byte in (byte < 0x20 && byte != 0x09) || byte == 0x7F }
    }

    /// Whether every header value may be written (``isValidFieldValue(_:)``); also false
    /// for a content type with a control character.
    var hasValidHeaderValues: Bool {
        headers.allSatisfy { Self.isValidFieldValue($0.value) } && Self.isValidFieldValue(contentType ?? "")
    }

    /// A JSON response with a pre-encoded body.
    public static func json(_ status: HTTPStatus = .ok, _ body: [UInt8], headers: [(name: String, value: String)] = []) -> HTTPResponse {
        HTTPResponse(status: status, contentType: "application/json", headers: headers, body: body)
    }

    /// A JSON response with a pre-encoded body given as text.
    public static func json(_ status: HTTPStatus = .ok, _ text: String, headers: [(name: String, value: String)] = []) -> HTTPResponse {
        json(status, Array(text.utf8), headers: headers)
    }

    /// A plain-text response.
    public static func text(_ status: HTTPStatus = .ok, _ text: String, headers: [(name: String, value: String)] = []) -> HTTPResponse {
        HTTPResponse(status: status, contentType: "text/plain; charset=utf-8", headers: headers, body: Array(text.utf8))
    }

    /// `{"error":"<message>"}` with `status`, plus `"field"` when one input field is at
    /// fault; both are JSON-escaped.
    public static func error(
        _ status: HTTPStatus, _ message: String, field: String? = nil, headers: [(name: String, value: String)] = []
    ) -> HTTPResponse {
        var body = Array("{".utf8)
        JSONText.appendMember("error", message, to: &body)
        if let field { JSONText.appendMember("field", field, to: &body) }
        body.append(UInt8(ascii: "}"))
        return json(status, body, headers: headers)
    }
}
