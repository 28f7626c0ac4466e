import Observability

/// Serialises response heads into a connection's output buffer. Status lines and fixed
/// header prefixes are byte constants; only `Date`, `Content-Length` and the handler's
/// own fields are written per response.
struct HTTPResponseWriter {
    private var date = HTTPDateCache()

    /// Bodies larger than this are written from their own array (`writev`), not copied.
    static let inlineBodyLimit = 16 * 1024

    enum ConnectionHeader {
        case none, close, keepAlive
    }

    /// Appends the status line and headers of `response` to `output`; returns whether
    /// the body must still be sent separately (it was not copied into `output`).
    mutating func appendHead(
        of response: HTTPResponse, contentLength: Int, connection: ConnectionHeader,
        requestID: String?, to output: inout [UInt8]
    ) {
        Self.appendStatusLine(response.status, to: &output)
        output.append(contentsOf: Self.serverAndDate)
        output.append(contentsOf: date.current())
        output.append(contentsOf: Self.crlf)
        if let contentType = response.contentType {
            output.append(contentsOf: Self.contentTypePrefix)
            output.append(contentsOf: contentType.utf8)
            output.append(contentsOf: Self.crlf)
        }
        if response.status.allowsBody {
            output.append(contentsOf: Self.contentLengthPrefix)
            DecimalText.append(contentLength, to: &output)
            output.append(contentsOf: Self.crlf)
        }
        switch connection {
        case .none: break
        case .close: output.append(contentsOf: Self.connectionClose)
        case .keepAlive: output.append(contentsOf: Self.connectionKeepAlive)
        }
        if let requestID {
            output.append(contentsOf: Self.requestIDPrefix)
            output.append(contentsOf: requestID.utf8)
            output.append(contentsOf: Self.crlf)
        }
        for (name, value) in response.headers {
            output.append(contentsOf: name.utf8)
            output.append(UInt8(ascii: ":"))
            output.append(UInt8(ascii: " "))
            output.append(contentsOf: value.utf8)
            output.append(contentsOf: Self.crlf)
        }
        output.append(contentsOf: Self.crlf)
    }

    static func appendStatusLine(_ status: HTTPStatus, to output: inout [UInt8]) {
        switch status.code {
        case 200: output.append(contentsOf: status200)
        case 404: output.append(contentsOf: status404)
        default:
            output.append(contentsOf: "HTTP/1.1 ".utf8)
            DecimalText.append(status.code, to: &output)
            output.append(UInt8(ascii: " "))
            output.append(contentsOf: status.reason.utf8)
            output.append(contentsOf: crlf)
        }
    }

    static let crlf: [UInt8] = [0x0D, 0x0A]
    static let status200 = Array("HTTP/1.1 200 OK\r\n".utf8)
    static let status404 = Array("HTTP/1.1 404 Not Found\r\n".utf8)
    static let serverAndDate = Array("Server: barkd\r\nDate: ".utf8)
    static let contentTypePrefix = Array("Content-Type: ".utf8)
    static let contentLengthPrefix = Array("Content-Length: ".utf8)
    static let connectionClose = Array("Connection: close\r\n".utf8)
    static let connectionKeepAlive = Array("Connection: keep-alive\r\n".utf8)
    static let requestIDPrefix = Array("X-Request-Id: ".utf8)
    static let continueResponse = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)
}
