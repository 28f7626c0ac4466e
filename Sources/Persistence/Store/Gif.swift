/// Where a catalog entry's image comes from.
public enum GifSource: Sendable, Equatable {
    /// An external URL (https), as the original app stored; barkd redirects to it.
    case external(url: String)
    /// Bytes stored in the database, served by barkd at `/gifs/{id}`.
    case stored(contentType: String, sha256: String, size: Int)
}

/// A catalog entry without its bytes.
public struct GifSummary: Sendable, Equatable, Identifiable {
    public var id: Int64
    public var title: String
    public var source: GifSource
    public var width: Int?
    public var height: Int?
    /// Seconds since the epoch.
    public var createdAt: Int64

    public init(id: Int64, title: String, source: GifSource, width: Int?, height: Int?, createdAt: Int64) {
        self.id = id
        self.title = title
        self.source = source
        self.width = width
        self.height = height
        self.createdAt = createdAt
    }
}

/// A catalog entry with its stored bytes (nil for an external URL).
public struct GifRecord: Sendable, Equatable {
    public var summary: GifSummary
    public var bytes: [UInt8]?

    public init(summary: GifSummary, bytes: [UInt8]?) {
        self.summary = summary
        self.bytes = bytes
    }
}

/// A new catalog entry.
public struct NewGif: Sendable, Equatable {
    public enum Content: Sendable, Equatable {
        case external(url: String)
        case bytes([UInt8], contentType: String)
    }

    public var title: String
    public var content: Content
    public var width: Int?
    public var height: Int?

    public init(title: String, content: Content, width: Int? = nil, height: Int? = nil) {
        self.title = title
        self.content = content
        self.width = width
        self.height = height
    }
}
