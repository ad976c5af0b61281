/// The one HTML document behind every view. The script fills `<main>` from
/// the URL's fragment (`#/`, `#/workload?…`, `#/canary?…`); without
/// JavaScript the page says so and points at the JSON API.
enum WebPage {
    static func html(style: String, script: String, icon: String) -> String {
        #"""
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="color-scheme" content="light dark">
        <title>Siskin</title>
        <link rel="icon" href="\#(icon)" type="image/svg+xml">
        <link rel="stylesheet" href="\#(style)">
        <script src="\#(script)" defer></script>
        </head>
        <body>
        <a class="skip" href="#main">Skip to content</a>
        <header class="top">
          <a class="brand" href="#/">Siskin</a>
          <nav aria-label="Views">
            <a id="nav-fleet" href="#/">Fleet</a>
            <a id="nav-workload" href="#/workload">Workload</a>
            <a id="nav-canary" href="#/canary">Canary</a>
          </nav>
          <p id="status" class="status" role="status" aria-live="polite"></p>
        </header>
        <div id="errors" class="errors" role="alert" hidden></div>
        <main id="main" tabindex="-1">
          <noscript><p>These pages need JavaScript. The same numbers are at
          <a href="/api/v1/siskin/workloads">/api/v1/siskin/workloads</a>.</p></noscript>
        </main>
        </body>
        </html>

        """#
    }

    /// A siskin-yellow dot with a dark wing: the tab icon (so the browser
    /// does not ask for `/favicon.ico`).
    static let icon = #"""
        <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><circle cx="8" cy="8" r="7" fill="#e2c10b"/><path d="M3 9c3-1 6-1 10-4-1 5-5 8-10 4z" fill="#2d3a1e"/></svg>

        """#
}
