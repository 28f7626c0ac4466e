import Observability
import Persistence
import Server

/// The Dog GIF page: one random GIF, its title, the visitor number and a link to another.
/// Small, valid HTML5 with inline styles and no scripts; every dynamic value escaped.
///
/// Rendered straight into one byte buffer sized up front: the page's only allocation is
/// its body (the template's fixed parts are built once).
enum DogPage {
    static func render(gif: GifSummary?, visitor: Int64) -> [UInt8] {
        let imageURL = gif?.imageURL ?? ""
        let title = gif?.title ?? ""
        var page: [UInt8] = []
        // The fixed parts, the escaped values and three numbers of at most 20 digits.
        page.reserveCapacity(Parts.fixedCount + HTMLText.escapedCount(imageURL) + 2 * HTMLText.escapedCount(title) + 3 * 20)
        page += Parts.head
        if let gif {
            page += Parts.figure[0]
            HTMLText.appendEscaped(imageURL, to: &page)
            page += Parts.figure[1]
            HTMLText.appendEscaped(title, to: &page)
            page.append(UInt8(ascii: "\""))
            if let width = gif.width, let height = gif.height {
                page += Parts.size[0]
                DecimalText.append(width, to: &page)
                page += Parts.size[1]
                DecimalText.append(height, to: &page)
                page.append(UInt8(ascii: "\""))
            }
            page += Parts.figure[2]
            HTMLText.appendEscaped(title, to: &page)
            page += Parts.figure[3]
        } else {
            page += Parts.emptyFigure
        }
        page += Parts.visitor
        DecimalText.append(Int(visitor), to: &page)
        page += Parts.tail
        return page
    }

    /// The template's fixed parts, in page order.
    private enum Parts {
        static let head = Array(
            """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>barkd &middot; a dog for you</title>
            <style>
            :root { color-scheme: light dark; --accent: #c2410c; }
            * { box-sizing: border-box; }
            body { margin: 0; min-height: 100vh; display: flex; flex-direction: column; align-items: center; justify-content: center;
                   font: 18px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; background: Canvas; color: CanvasText; padding: 1.5rem; }
            main { width: 100%; max-width: 34rem; text-align: center; }
            h1 { font-size: 1.6rem; margin: 0 0 1rem; }
            figure { margin: 0 0 1.25rem; padding: 1rem; border-radius: 1rem; background: color-mix(in srgb, CanvasText 6%, Canvas);
                     box-shadow: 0 2px 12px color-mix(in srgb, CanvasText 15%, transparent); }
            img { display: block; width: 100%; height: auto; max-height: 60vh; object-fit: contain; border-radius: .5rem; image-rendering: auto; }
            figcaption { margin-top: .75rem; font-weight: 600; }
            .visitor { font-size: 1.1rem; margin: 0 0 1.25rem; }
            .visitor strong { color: var(--accent); font-variant-numeric: tabular-nums; }
            a.again { display: inline-block; padding: .7rem 1.4rem; border-radius: 999px; background: var(--accent); color: #fff;
                      text-decoration: none; font-weight: 600; }
            a.again:hover, a.again:focus { filter: brightness(1.1); }
            </style>
            </head>
            <body>
            <main>
            <h1>Here&rsquo;s a dog for you</h1>

            """.utf8)
        static let figure = ["<figure>\n<img src=\"", "\" alt=\"", ">\n<figcaption>", "</figcaption>\n</figure>\n"].map { Array($0.utf8) }
        static let size = [" width=\"", "\" height=\""].map { Array($0.utf8) }
        static let emptyFigure = Array(
            "<figure class=\"empty\"><p>No dogs yet &mdash; the catalog is empty.</p><p>Add one through the admin API.</p></figure>\n".utf8)
        static let visitor = Array("<p class=\"visitor\">You are visitor <strong id=\"visitor\">#".utf8)
        static let tail = Array(
            """
            </strong></p>
            <a class="again" href="/">Another dog &rarr;</a>
            </main>
            </body>
            </html>

            """.utf8)
        static let fixedCount =
            head.count + emptyFigure.count + visitor.count + tail.count + (figure + size).reduce(0) { $0 + $1.count }
    }
}
