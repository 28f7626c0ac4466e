import Observability

/// A response a handler returns. Framing headers (`Content-Length`, `Connection`,
/// `Date`, `Server`) are added by the connection, never by handlers.
public struct HTTPResponse: Sendable {
    public var status: HTTPStatus
    /// `Content-Type`, written first among the handler's headers.
    public var contentType: String?
    /// Other header fields, in order.
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(status: HTTPStatus, contentType: String? = nil, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.status = status
        self.contentType = contentType
        self.headers = headers
        self.body = body
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
