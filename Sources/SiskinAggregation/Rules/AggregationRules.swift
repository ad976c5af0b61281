/// The set of rules an agent aggregates with, plus the labels that carry the
/// pod's identity on every output series.
///
/// The first rule that names a family applies to it; a family no rule names
/// is not aggregated (the parser skips it without reading its labels).
public struct AggregationRules: Sendable, Hashable {
    public var rules: [AggregationRule]
    /// Label that carries the pod name on every output series.
    public var podLabel: String
    /// Label that carries the pod namespace on every output series.
    public var namespaceLabel: String
    /// A gauge that only goes down when the process restarts (Envoy's
    /// `envoy_server_uptime`). When it drops and counters drop with it, every
    /// counter of the pod restarted, even sparse ones whose new value is not
    /// below their old one. Nil: per-series (and per-histogram) detection only.
    public var restartSignal: String?

    public init(rules: [AggregationRule], podLabel: String = "pod", namespaceLabel: String = "namespace",
                restartSignal: String? = "envoy_server_uptime") {
        self.rules = rules
        self.podLabel = podLabel
        self.namespaceLabel = namespaceLabel
        self.restartSignal = restartSignal
    }

    /// The rule for a family name, if any.
    public func rule(forFamily name: String) -> AggregationRule? {
        rules.first { $0.families.contains(name) }
    }

    /// Istio's standard telemetry families.
    public static let istioFamilies = [
        "istio_requests_total",
        "istio_request_duration_milliseconds",
        "istio_request_bytes",
        "istio_response_bytes",
        "istio_tcp_sent_bytes_total",
        "istio_tcp_received_bytes_total",
        "istio_tcp_connections_opened_total",
        "istio_tcp_connections_closed_total",
    ]

    /// Every label that Flagger's builtin queries, prometheus-adapter rules,
    /// Istio's Grafana dashboards and Kiali select or group on.
    public static let defaultKeptLabels = [
        "reporter",
        "source_workload", "source_workload_namespace",
        "source_canonical_service", "source_canonical_revision", "source_cluster",
        "destination_workload", "destination_workload_namespace",
        "destination_service", "destination_service_name", "destination_service_namespace",
        "destination_canonical_service", "destination_canonical_revision", "destination_cluster",
        "request_protocol", "response_code", "response_flags", "grpc_response_status",
        "connection_security_policy",
    ]

    /// The default: all Istio families, the consumer-relevant labels kept;
    /// drops `source_app`, `destination_app`, `source_version`,
    /// `destination_version` and the principals.
    public static let `default` = AggregationRules(rules: [
        AggregationRule(families: istioFamilies, labels: .by(defaultKeptLabels))
    ])

    /// Labels of the lean preset: what canary analysis and HPA request-rate
    /// scaling need, summed across sources.
    public static let leanKeptLabels = [
        "reporter", "destination_workload", "destination_workload_namespace",
        "destination_canonical_revision", "response_code",
    ]

    /// Lean preset for canary/HPA-only fleets: request counts and durations,
    /// summed across every source.
    public static let lean = AggregationRules(rules: [
        AggregationRule(
            families: ["istio_requests_total", "istio_request_duration_milliseconds"],
            labels: .by(leanKeptLabels)
        )
    ])

    /// Built-in presets by name (`default`, `lean`).
    public static func preset(named name: String) -> AggregationRules? {
        switch name {
        case "default": .default
        case "lean": .lean
        default: nil
        }
    }
}
