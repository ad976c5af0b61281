import Hummingbird

/// The pages at `/` (docs/web.md): one HTML document whose script renders
/// the fleet, workload and canary views from the JSON API, with the view's
/// state in the URL's fragment. Everything is served from the binary; the
/// Content-Security-Policy allows this origin only, so the pages work with no
/// internet access and cannot load third-party code even if edited to.
struct WebRoutes: Sendable {
    let site: WebSite

    /// Same origin only; no inline script or style, no plugins, no framing.
    static let contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; "
        + "img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    /// Versioned assets never change under their URL.
    static let immutable = "public, max-age=31536000, immutable"
    /// The page is small: revalidate every time (ETag), so new assets are found.
    static let revalidate = "no-cache"

    func register(on router: Router<BasicRequestContext>) {
        router.get("/") { request, _ in Self.serve(site.page, cacheControl: Self.revalidate, request) }
        for asset in site.assets {
            router.get(RouterPath(asset.path)) { request, _ in Self.serve(asset, cacheControl: Self.immutable, request) }
        }
    }

    /// The asset, or 304 when the browser already holds this version.
    static func serve(_ asset: WebAsset, cacheControl: String, _ request: Request) -> Response {
        var headers: HTTPFields = [
            .contentType: asset.contentType, .cacheControl: cacheControl, .eTag: asset.etag,
            .contentSecurityPolicy: contentSecurityPolicy, .xContentTypeOptions: "nosniff",
            .referrerPolicy: "no-referrer",
        ]
        if let tags = request.headers[.ifNoneMatch],
           tags.split(separator: ",").contains(where: { $0.trimmingCharacters(in: .whitespaces) == asset.etag }) {
            headers[.contentLength] = nil
            return Response(status: .notModified, headers: headers)
        }
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: asset.bytes))
    }
}

extension HTTPFields.Element.Name {
    static let referrerPolicy = HTTPFields.Element.Name("Referrer-Policy")!
}

/// The page and its assets, built once: the page names the assets by their
/// versioned URLs.
struct WebSite: Sendable {
    let page: WebAsset
    let assets: [WebAsset]

    static let shared = WebSite()

    init() {
        let style = WebAsset(name: "siskin", extension: "css", contentType: "text/css; charset=utf-8",
                             content: WebStyle.source)
        let script = WebAsset(name: "siskin", extension: "js", contentType: "text/javascript; charset=utf-8",
                              content: WebCharts.source + "\n" + WebScript.source)
        let icon = WebAsset(name: "icon", extension: "svg", contentType: "image/svg+xml", content: WebPage.icon)
        assets = [style, script, icon]
        page = WebAsset(path: "/", contentType: "text/html; charset=utf-8",
                        content: WebPage.html(style: style.path, script: script.path, icon: icon.path))
    }
}
