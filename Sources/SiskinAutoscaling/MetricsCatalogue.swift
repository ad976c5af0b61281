import SiskinPromQL
import Yams

/// The metrics Siskin offers the HPA, by name: the built-in three, or those
/// of a YAML file (`--metrics-catalogue`) so operators can add their own
/// without a new release. Every template is parsed as PromQL when the
/// catalogue is loaded, so a typo fails at start-up, not at the HPA's first
/// request.
public struct MetricsCatalogue: Sendable {
    public private(set) var metrics: [MetricDefinition]

    public init(metrics: [MetricDefinition]) throws(CatalogueError) {
        var seen: Set<String> = []
        for metric in metrics {
            guard !metric.name.isEmpty, metric.name.unicodeScalars.allSatisfy({ LabelSelectorParser.isAlphanumeric($0) || "_:.-".unicodeScalars.contains($0) })
            else { throw CatalogueError("metric name \"\(metric.name)\" is not usable in a URL path") }
            guard seen.insert(metric.name).inserted else { throw CatalogueError("metric \"\(metric.name)\" is defined twice") }
            guard metric.windowMilliseconds >= 1000 else { throw CatalogueError("metric \"\(metric.name)\": window must be at least 1s") }
            guard !metric.resources.isEmpty || metric.external else {
                throw CatalogueError("metric \"\(metric.name)\" is served for no resource and not as an external metric")
            }
            // Check with representative values: the placeholders are not PromQL.
            let sample = metric.expand(matchers: ["namespace=\"default\""], by: ["namespace", "pod"])
            do {
                _ = try PromQLParser.parse(sample)
            } catch {
                throw CatalogueError("metric \"\(metric.name)\": query does not parse (\(error)): \(sample)")
            }
        }
        self.metrics = metrics
    }

    public func metric(named name: String) -> MetricDefinition? {
        metrics.first { $0.name == name }
    }

    /// The three metrics the issue names, each over a one-minute window:
    /// requests per second per pod (server side, `reporter="destination"`),
    /// the workload's 5xx share and its 99th-percentile latency.
    public static func builtIn(windowMilliseconds: Int64 = 60_000) -> MetricsCatalogue {
        let requests = "istio_requests_total{reporter=\"destination\",$matchers}"
        let errors = "istio_requests_total{reporter=\"destination\",response_code=~\"5.*\",$matchers}"
        let buckets = "istio_request_duration_milliseconds_bucket{reporter=\"destination\",$matchers}"
        // `or … * 0`: a workload without errors has no 5xx series, and its
        // ratio is 0, not absent.
        let definitions = [
            MetricDefinition(
                name: "istio_requests_per_second",
                query: "sum by ($by) (rate(\(requests)[$window]))",
                resources: MetricResource.allCases, windowMilliseconds: windowMilliseconds),
            MetricDefinition(
                name: "istio_request_error_ratio",
                query: "(sum by ($by) (rate(\(errors)[$window])) or sum by ($by) (rate(\(requests)[$window])) * 0)"
                    + " / sum by ($by) (rate(\(requests)[$window]))",
                resources: [.deployments, .services, .namespaces], windowMilliseconds: windowMilliseconds),
            MetricDefinition(
                name: "istio_request_duration_p99_milliseconds",
                query: "histogram_quantile(0.99, sum by ($by,le) (rate(\(buckets)[$window])))",
                resources: [.deployments, .services, .namespaces], windowMilliseconds: windowMilliseconds),
        ]
        // The built-in templates are tested to parse.
        return try! MetricsCatalogue(metrics: definitions)
    }

    /// Reads the YAML form documented in docs/autoscaling.md:
    ///
    ///     window: 1m            # default for every metric (1m when absent)
    ///     metrics:
    ///       - name: istio_requests_per_second
    ///         query: sum by ($by) (rate(istio_requests_total{reporter="destination",$matchers}[$window]))
    ///         resources: [pods, deployments, services, namespaces]
    ///         external: true    # default true
    ///         window: 30s       # optional
    ///
    /// Without `metrics`, the built-in metrics with the file's window.
    public init(yaml: String) throws(CatalogueError) {
        struct Document: Decodable {
            var window: String?
            var metrics: [Entry]?
        }
        struct Entry: Decodable {
            var name: String
            var query: String
            var resources: [String]?
            var external: Bool?
            var window: String?
        }
        let document: Document
        do {
            document = try YAMLDecoder().decode(Document.self, from: yaml)
        } catch {
            throw CatalogueError("catalogue is not valid YAML of the expected shape: \(error)")
        }
        let window = try Self.window(document.window, default: 60_000, context: "window")
        guard let entries = document.metrics else {
            self = Self.builtIn(windowMilliseconds: window)
            return
        }
        var metrics: [MetricDefinition] = []
        for entry in entries {
            var resources: [MetricResource] = []
            for name in entry.resources ?? [] {
                guard let resource = MetricResource(apiName: name) else {
                    throw CatalogueError("metric \"\(entry.name)\": unknown resource \"\(name)\" (pods, deployments, services, namespaces)")
                }
                resources.append(resource)
            }
            metrics.append(MetricDefinition(
                name: entry.name, query: entry.query, resources: resources, external: entry.external ?? true,
                windowMilliseconds: try Self.window(entry.window, default: window, context: "metric \"\(entry.name)\" window")))
        }
        try self.init(metrics: metrics)
    }

    private static func window(_ text: String?, default value: Int64, context: String) throws(CatalogueError) -> Int64 {
        guard let text else { return value }
        guard let ms = PromQLDuration.milliseconds(text), ms > 0 else {
            throw CatalogueError("\(context): \"\(text)\" is not a duration such as 30s or 1m")
        }
        return ms
    }
}

/// A catalogue that cannot be used; `siskin serve` refuses to start with it.
public struct CatalogueError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
