import Observability
import Persistence
import Server

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Validation of a new catalog entry from the admin API.
enum GifSubmission {
    /// A rejected submission: its status and, where one field is at fault, that field.
    struct Rejection: HTTPResponseError, Equatable {
        var status: HTTPStatus
        var message: String
        var field: String?

        var response: HTTPResponse { .error(status, message, field: field) }
    }

    static let maxTitleLength = 200
    static let maxURLLength = 2048

    /// A title of 1–200 printable characters (no control characters), counted in Unicode
    /// code points as the databases' length checks count them (`CHAR_LENGTH`, `length`):
    /// 200 grapheme clusters can be many more code points (an accent or emoji sequence).
    static func validTitle(_ title: String?) throws(Rejection) -> String {
        guard let title, !title.isEmpty, title.unicodeScalars.count <= maxTitleLength,
            !title.unicodeScalars.contains(where: { $0.properties.generalCategory == .control || $0.properties.generalCategory == .format }),
            !title.allSatisfy(\.isWhitespace)
        else { throw Rejection(status: .unprocessableContent, message: "title must be 1-\(maxTitleLength) printable characters", field: "title") }
        return title
    }

    /// An absolute `https://` URL with a host, at most 2048 characters, no spaces or controls.
    static func validURL(_ url: String?) throws(Rejection) -> String {
        let rejection = Rejection(status: .unprocessableContent, message: "url must be an https URL of at most \(maxURLLength) characters", field: "url")
        guard let url, url.utf8.count <= maxURLLength, url.lowercased().hasPrefix("https://") else { throw rejection }
        let rest = url.utf8.dropFirst(8)
        guard let hostByte = rest.first, hostByte != UInt8(ascii: "/"), hostByte != UInt8(ascii: "?"), hostByte != UInt8(ascii: "#"),
            url.utf8.allSatisfy({ $0 > 0x20 && $0 != 0x7F && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "<") && $0 != UInt8(ascii: ">") })
        else { throw rejection }
        return url
    }

    /// A JSON object with any members; `title` and `url` are kept when they are strings,
    /// so a wrong type is told apart from malformed JSON.
    private struct JSONBody: Decodable {
        var title: String?
        var url: String?

        private struct Key: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }

        init(from decoder: any Decoder) throws {
            let object = try decoder.container(keyedBy: Key.self)
            title = try? object.decode(String.self, forKey: Key(stringValue: "title"))
            url = try? object.decode(String.self, forKey: Key(stringValue: "url"))
        }
    }

    /// `{"title": …, "url": …}` → an external entry. Malformed JSON or anything but an
    /// object is 400; a well-formed object whose `title` or `url` is missing, not a string
    /// or invalid is 422 naming the field.
    static func fromJSON(_ body: ArraySlice<UInt8>) throws(Rejection) -> NewGif {
        let decoded: JSONBody
        do {
            decoded = try JSONDecoder().decode(JSONBody.self, from: Data(body))
        } catch {
            throw Rejection(status: .badRequest, message: "body must be a JSON object with string fields title and url", field: nil)
        }
        let title = try validTitle(decoded.title)
        let url = try validURL(decoded.url)
        return NewGif(title: title, content: .external(url: url))
    }

    /// GIF bytes with `?title=` → a stored entry (magic bytes and size checked).
    static func fromGIF(_ body: ArraySlice<UInt8>, title: String?, maxBytes: Int) throws(Rejection) -> NewGif {
        let title = try validTitle(title)
        guard body.count <= maxBytes else {
            throw Rejection(status: .contentTooLarge, message: "a GIF may be at most \(maxBytes) bytes", field: "body")
        }
        let bytes = Array(body)
        guard bytes.count >= 13, bytes.starts(with: Array("GIF87a".utf8)) || bytes.starts(with: Array("GIF89a".utf8)) else {
            throw Rejection(status: .unprocessableContent, message: "body is not a GIF (GIF87a/GIF89a)", field: "body")
        }
        let width = Int(bytes[6]) | Int(bytes[7]) << 8
        let height = Int(bytes[8]) | Int(bytes[9]) << 8
        guard width > 0, height > 0 else {
            throw Rejection(status: .unprocessableContent, message: "GIF has no size", field: "body")
        }
        return NewGif(title: title, content: .bytes(bytes, contentType: "image/gif"), width: width, height: height)
    }
}
