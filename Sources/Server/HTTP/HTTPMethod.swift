/// An HTTP request method: the common ones as cases, any other token kept as text.
public enum HTTPMethod: Hashable, Sendable, CustomStringConvertible {
    case get, head, post, put, delete, options, patch, trace, connect
    case other(String)

    /// Recognises the method token `bytes` (already validated as a token).
    init(token bytes: UnsafeRawBufferPointer) {
        switch bytes.count {
        case 3:
            if bytes.elementsEqual("GET".utf8) { self = .get; return }
            if bytes.elementsEqual("PUT".utf8) { self = .put; return }
        case 4:
            if bytes.elementsEqual("HEAD".utf8) { self = .head; return }
            if bytes.elementsEqual("POST".utf8) { self = .post; return }
        case 5:
            if bytes.elementsEqual("PATCH".utf8) { self = .patch; return }
            if bytes.elementsEqual("TRACE".utf8) { self = .trace; return }
        case 6:
            if bytes.elementsEqual("DELETE".utf8) { self = .delete; return }
        case 7:
            if bytes.elementsEqual("OPTIONS".utf8) { self = .options; return }
            if bytes.elementsEqual("CONNECT".utf8) { self = .connect; return }
        default: break
        }
        self = .other(String(decoding: bytes, as: UTF8.self))
    }

    /// The method token as sent on the wire.
    public var description: String {
        switch self {
        case .get: "GET"
        case .head: "HEAD"
        case .post: "POST"
        case .put: "PUT"
        case .delete: "DELETE"
        case .options: "OPTIONS"
        case .patch: "PATCH"
        case .trace: "TRACE"
        case .connect: "CONNECT"
        case .other(let token): token
        }
    }
}

// swift-format-ignore: AlwaysUseLowerCamelCase
// (`http1_0` and `http1_1` spell the version numbers, as SwiftNIO's HTTPVersion does.)
/// The protocol version of a request barkd accepted (1.0 or 1.1).
public enum HTTPVersion: Sendable, Equatable {
    case http1_0
    case http1_1

    public var description: String { self == .http1_0 ? "HTTP/1.0" : "HTTP/1.1" }
}
