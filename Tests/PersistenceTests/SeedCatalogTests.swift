import Foundation
import Testing

@testable import Persistence

@Suite("Seed catalog")
struct SeedCatalogTests {
    struct CatalogEntry: Decodable {
        var file: String
        var title: String
        var width: Int
        var height: Int
        var sha256: String
    }

    static let seedDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Sources/Persistence/Seed")

    @Test func embeddedGifsMatchCatalogJSONAndTheFiles() throws {
        let json = try Data(contentsOf: Self.seedDirectory.appendingPathComponent("catalog.json"))
        let catalog = try JSONDecoder().decode([CatalogEntry].self, from: json)
        let embedded = SeedCatalog.entries
        #expect(embedded.count == catalog.count)
        #expect(catalog.count >= 12)
        for (entry, expected) in zip(embedded, catalog) {
            #expect(entry.file == expected.file)
            #expect(entry.title == expected.title)
            #expect(entry.width == expected.width && entry.height == expected.height)
            let bytes = entry.bytes
            #expect(SHA256.hexDigest(of: bytes) == expected.sha256, "\(entry.file): rerun Seed/embed_seed.py")
            let file = try Data(contentsOf: Self.seedDirectory.appendingPathComponent("gifs/\(expected.file)"))
            #expect(bytes == [UInt8](file), "\(entry.file) differs from gifs/: rerun Seed/embed_seed.py")
        }
    }

    @Test func gifsAreSmallAnimatedGIFs() {
        let gifs = SeedCatalog.gifs()
        #expect(gifs.count >= 12)
        #expect(Set(gifs.map(\.title)).count == gifs.count)
        for gif in gifs {
            guard case .bytes(let bytes, let contentType) = gif.content else {
                Issue.record("\(gif.title) has no bytes")
                continue
            }
            #expect(contentType == "image/gif")
            #expect(bytes.starts(with: Array("GIF89a".utf8)))
            #expect(bytes.count < 100_000)
            #expect(gif.width == 200 && gif.height == 160)
        }
    }
}
