import Hummingbird
import SiskinWire

/// Demands a read token on every path of the main port except the open ones,
/// when read tokens are configured (`AccessControl`).
///
/// Deny by default: the open paths are listed exactly (probes, `/metrics`,
/// the page and its static assets, which carry no data) and everything else,
/// unknown paths included, needs a read token. A path spelled differently
/// (`//api/v1/query`) is therefore never open by accident. The ingest path is
/// left to `IngestRoutes`, which checks push tokens.
struct ReadAccessMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext

    let access: AccessControl
    let metrics: ServerMetrics
    let openPaths: Set<String>

    /// Kubernetes probes and Prometheus' health endpoints answer without
    /// credentials (kubelet sends none), as does `/metrics` (Siskin's own
    /// counters: no workload's traffic; see docs/threat-model.md).
    static let probePaths: Set<String> = ["/healthz", "/readyz", "/-/healthy", "/-/ready", "/metrics"]

    init(access: AccessControl, metrics: ServerMetrics, site: WebSite) {
        self.access = access
        self.metrics = metrics
        openPaths = Self.probePaths.union(["/", WireFormat.ingestPath]).union(site.assets.map(\.path))
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if openPaths.contains(request.uri.path) { return try await next(request, context) }
        switch access.authorizeRead(authorization: request.headers[.authorization]) {
        case .allowed:
            return try await next(request, context)
        case .refused(let refusal):
            metrics.recordReadRejected(reason: refusal.reason)
            return IngestRoutes.refusal(refusal)
        }
    }
}
