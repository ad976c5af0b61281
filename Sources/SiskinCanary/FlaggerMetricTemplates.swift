import Foundation

/// Flagger's builtin Istio checks, as the PromQL it sends to its `metricsServer`
/// with `{{ namespace }}`, `{{ target }}` and `{{ interval }}` filled in: what
/// `siskin demo`, like a real Flagger pointed at Siskin, asks the Prometheus
/// API, and what the query benchmarks time.
public enum FlaggerMetricTemplates {
    /// `request-success-rate`: percent of the target's requests not answered 5xx.
    public static let requestSuccessRate = """
        sum(rate(istio_requests_total{reporter="destination",destination_workload_namespace="{{ namespace }}",\
        destination_workload=~"{{ target }}",response_code!~"5.*"}[{{ interval }}])) / \
        sum(rate(istio_requests_total{reporter="destination",destination_workload_namespace="{{ namespace }}",\
        destination_workload=~"{{ target }}"}[{{ interval }}])) * 100
        """

    /// `request-duration`: the target's p99 latency in milliseconds.
    public static let requestDuration = """
        histogram_quantile(0.99, sum(rate(istio_request_duration_milliseconds_bucket{reporter="destination",\
        destination_workload_namespace="{{ namespace }}",destination_workload=~"{{ target }}"}[{{ interval }}])) by (le))
        """

    /// Not a Flagger check: the target's request rate, which the demo shows beside them.
    public static let requestRate = """
        sum(rate(istio_requests_total{reporter="destination",destination_workload_namespace="{{ namespace }}",\
        destination_workload=~"{{ target }}"}[{{ interval }}]))
        """

    /// `template` with Flagger's placeholders replaced.
    public static func render(_ template: String, namespace: String, target: String, interval: String) -> String {
        template
            .replacingOccurrences(of: "{{ namespace }}", with: namespace)
            .replacingOccurrences(of: "{{ target }}", with: target)
            .replacingOccurrences(of: "{{ interval }}", with: interval)
    }
}
