public import Persistence
import Server

/// An immutable copy of the GIF catalog: a uniform random pick is one array index.
public struct CatalogSnapshot: Sendable {
    public let gifs: [GifSummary]
    private let indexByID: [Int64: Int]

    public init(_ gifs: [GifSummary]) {
        self.gifs = gifs
        var index: [Int64: Int] = [:]
        for (position, gif) in gifs.enumerated() { index[gif.id] = position }
        self.indexByID = index
    }

    public static let empty = CatalogSnapshot([])

    public var count: Int { gifs.count }

    /// A uniformly random entry, or nil when the catalog is empty.
    public func random<G: RandomNumberGenerator>(using generator: inout G) -> GifSummary? {
        gifs.isEmpty ? nil : gifs[Int.random(in: 0..<gifs.count, using: &generator)]
    }

    public func gif(id: Int64) -> GifSummary? {
        indexByID[id].map { gifs[$0] }
    }
}
