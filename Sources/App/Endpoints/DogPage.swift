import Persistence
import Server

/// The Dog GIF page: one random GIF, its title, the visitor number and a link to another.
/// Small, valid HTML5 with inline styles and no scripts; every dynamic value escaped.
enum DogPage {
    static func render(gif: GifSummary?, visitor: Int64) -> String {
        let figure: String
        if let gif {
            let size = gif.width.flatMap { width in gif.height.map { " width=\"\(width)\" height=\"\($0)\"" } } ?? ""
            figure = """
                <figure>
                <img src="\(HTMLText.escape(gif.imageURL))" alt="\(HTMLText.escape(gif.title))"\(size)>
                <figcaption>\(HTMLText.escape(gif.title))</figcaption>
                </figure>
                """
        } else {
            figure = """
                <figure class="empty"><p>No dogs yet &mdash; the catalog is empty.</p><p>Add one through the admin API.</p></figure>
                """
        }
        return """
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
            \(figure)
            <p class="visitor">You are visitor <strong id="visitor">#\(visitor)</strong></p>
            <a class="again" href="/">Another dog &rarr;</a>
            </main>
            </body>
            </html>

            """
    }
}
