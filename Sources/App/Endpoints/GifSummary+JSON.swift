import Observability
import Persistence

/// How a catalog entry appears to clients: its `/gifs/{id}` path, the URL an image
/// points at, and its JSON object — for the page, the public API and the admin API alike.
extension GifSummary {
    /// The route that serves a stored entry's bytes (or redirects to an external one).
    static let route = "/gifs/{id}"

    /// This entry's `/gifs/{id}`.
    var path: String { "/gifs/\(id)" }

    /// Where an `<img>` points: barkd's own ``path`` for stored bytes, or the entry's
    /// external https URL.
    var imageURL: String {
        switch source {
        case .external(let url): url
        case .stored: path
        }
    }

    /// Appends `{"id":…,"title":…,"url":…}` (the URL is ``imageURL``).
    func appendJSON(to output: inout [UInt8]) {
        output.append(UInt8(ascii: "{"))
        JSONText.appendMember("id", integer: Int(id), to: &output)
        JSONText.appendMember("title", title, to: &output)
        JSONText.appendMember("url", imageURL, to: &output)
        output.append(UInt8(ascii: "}"))
    }

    /// ``appendJSON(to:)`` as a whole body.
    var json: [UInt8] {
        var body: [UInt8] = []
        appendJSON(to: &body)
        return body
    }
}
