import Foundation
import Hummingbird
import NIOSSL
import SiskinAutoscaling
import SiskinStore

/// The Kubernetes custom and external metrics APIs, and the probes the
/// aggregation layer and the kubelet send to an aggregated API server.
///
/// Every answer is JSON, whatever `Accept` prefers: the HPA's client asks
/// for `application/vnd.kubernetes.protobuf, */*`, and the metrics types
/// have no protobuf form (the API server's own metrics servers answer JSON
/// too). Failures are Kubernetes `Status` objects with the matching code.
struct MetricsAPIRoutes: Sendable {
    let database: Database
    let evaluator: MetricsEvaluator
    let frontProxy: FrontProxyAuthentication?

    func register(on router: Router<MetricsAPIRequestContext>) {
        for probe in ["/healthz", "/livez"] {
            router.get(RouterPath(probe)) { _, _ in IngestRoutes.text(.ok, "ok") }
        }
        // Ready once the state is loaded, which it is when this serves:
        // a degraded disk does not stop the HPA's reads.
        router.get("/readyz") { _, _ in IngestRoutes.text(.ok, "ok") }
        router.get("/apis") { request, context in try await authenticated(request, context) }
        router.get("/apis/**") { request, context in try await authenticated(request, context) }
    }

    /// `answer`, after the front-proxy check when one is configured.
    func authenticated(_ request: Request, _ context: MetricsAPIRequestContext) async throws -> Response {
        if let frontProxy {
            let peer = try? await context.channel.nioSSL_peerCertificate().get()
            if let refusal = frontProxy.refusal(peer: peer) {
                return try Self.json(refusal.status, status: HTTPResponse.Status(code: refusal.code))
            }
        }
        return try answer(request)
    }

    func answer(_ request: Request) throws -> Response {
        guard let path = MetricsAPIPath(request.uri.path) else {
            return try Self.json(MetricsAPIError(reason: "NotFound", code: 404,
                                                 message: "the server could not find the requested resource").status,
                                 status: .notFound)
        }
        let parameters = FormParameters(query: request.uri.query)
        do {
            return try Self.json(try document(for: path, parameters: parameters))
        } catch let error as MetricsAPIError {
            return try Self.json(error.status, status: HTTPResponse.Status(code: error.code))
        }
    }

    private func document(for path: MetricsAPIPath, parameters: FormParameters) throws -> any Encodable {
        let now = ServerClock.nowMilliseconds()
        switch path {
        case .groups:
            return Discovery.GroupList()
        case .group(let group):
            return Discovery.GroupDocument(group)
        case .resources(let group, let version):
            return Discovery.ResourceList(group, version: version, catalogue: evaluator.catalogue)
        case .custom(let version, let namespace, let resource, let name, let metric):
            let metricSelector = try Self.selector(parameters["metricLabelSelector"])
            if resource == .pods {
                let selector = try Self.selector(parameters["labelSelector"])
                let items = try database.read { store throws(MetricsAPIError) in
                    try evaluator.pods(metric: metric, namespace: namespace, pod: name == "*" ? nil : name,
                                       selector: selector, metricSelector: metricSelector, store: store, now: now)
                }
                return MetricValueList(version: version, items: items)
            }
            guard name != "*" else {
                throw MetricsAPIError.badRequest("a list of \(resource.apiName) is not served; name one object")
            }
            let item = try database.read { store throws(MetricsAPIError) in
                try evaluator.object(metric: metric, resource: resource, namespace: namespace, name: name,
                                     metricSelector: metricSelector, store: store, now: now)
            }
            return MetricValueList(version: version, items: [item])
        case .external(let namespace, let metric):
            let selector = try Self.selector(parameters["labelSelector"])
            let items = try database.read { store throws(MetricsAPIError) in
                try evaluator.external(metric: metric, namespace: namespace, selector: selector, store: store, now: now)
            }
            return ExternalMetricValueList(items: items)
        }
    }

    static func selector(_ text: String?) throws(MetricsAPIError) -> LabelSelector {
        guard let text, !text.isEmpty else { return .everything }
        do {
            return try LabelSelector(parsing: text)
        } catch {
            throw .badRequest(error.message)
        }
    }

    static func json(_ value: any Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(value)
        return Response(status: status, headers: [.contentType: "application/json"],
                        body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }
}
