/// The queries Siskin's users send, asked of both servers at the same evaluation time.
struct BatteryQuery: Sendable {
    enum Kind: Sendable {
        /// `/api/v1/query` at the evaluation time; `post` sends it as a form, like
        /// Prometheus' Go client (Kiali, prometheus-adapter) does.
        case instant(post: Bool)
        /// `/api/v1/query_range` from `lookback` seconds before the evaluation time to it.
        case range(lookback: Double, step: Double)
    }

    /// What Prometheus must answer for the harness to be testing anything.
    enum Expectation: Sendable {
        case series(Int)
        case empty
    }

    var name: String
    var query: String
    var kind: Kind = .instant(post: false)
    var tolerance: Tolerance
    var expectation: Expectation
}

enum Battery {
    /// Flagger's builtin Istio checks, verbatim from `pkg/metrics/observers/istio.go`
    /// (fluxcd/flagger), rendered with Flagger's `{{ namespace }}`, `{{ target }}` and
    /// `{{ interval }}`.
    static func flaggerSuccessRate(namespace: String, target: String, interval: String) -> String {
        [
            "",
            "\tsum(",
            "\t\trate(",
            "\t\t\tistio_requests_total{",
            "\t\t\t\treporter=\"destination\",",
            "\t\t\t\tdestination_workload_namespace=\"\(namespace)\",",
            "\t\t\t\tdestination_workload=~\"\(target)\",",
            "\t\t\t\tresponse_code!~\"5.*\"",
            "\t\t\t}[\(interval)]",
            "\t\t)",
            "\t) ",
            "\t/ ",
            "\tsum(",
            "\t\trate(",
            "\t\t\tistio_requests_total{",
            "\t\t\t\treporter=\"destination\",",
            "\t\t\t\tdestination_workload_namespace=\"\(namespace)\",",
            "\t\t\t\tdestination_workload=~\"\(target)\"",
            "\t\t\t}[\(interval)]",
            "\t\t)",
            "\t) ",
            "\t* 100",
        ].joined(separator: "\n")
    }

    static func flaggerRequestDuration(namespace: String, target: String, interval: String) -> String {
        [
            "",
            "\thistogram_quantile(",
            "\t\t0.99,",
            "\t\tsum(",
            "\t\t\trate(",
            "\t\t\t\tistio_request_duration_milliseconds_bucket{",
            "\t\t\t\t\treporter=\"destination\",",
            "\t\t\t\t\tdestination_workload_namespace=\"\(namespace)\",",
            "\t\t\t\t\tdestination_workload=~\"\(target)\"",
            "\t\t\t\t}[\(interval)]",
            "\t\t\t)",
            "\t\t) by (le)",
            "\t)",
        ].joined(separator: "\n")
    }

    /// The battery for a canary of `service` in `namespace`; `primaryPods` are the pods
    /// prometheus-adapter asks about (its `namespace`/`pod` matchers).
    static func queries(namespace: String, service: String, primaryPods: [String]) -> [BatteryQuery] {
        let primary = "\(service)-primary", canary = "\(service)-canary"
        let inbound = "reporter=\"destination\",destination_workload_namespace=\"\(namespace)\""
        var queries: [BatteryQuery] = []
        for target in [primary, canary] {
            queries.append(BatteryQuery(
                name: "flagger success rate \(target)",
                query: flaggerSuccessRate(namespace: namespace, target: target, interval: "1m"),
                tolerance: .percentagePoints(0.2), expectation: .series(1)))
            queries.append(BatteryQuery(
                name: "flagger p99 \(target)",
                query: flaggerRequestDuration(namespace: namespace, target: target, interval: "1m"),
                tolerance: .quantile(0.05), expectation: .series(1)))
        }
        queries += [
            BatteryQuery(
                name: "average latency (sum/count)",
                query: "sum by (destination_workload) (rate(istio_request_duration_milliseconds_sum{\(inbound)}[1m]))"
                    + " / sum by (destination_workload) (rate(istio_request_duration_milliseconds_count{\(inbound)}[1m]))",
                tolerance: .relative(0.02), expectation: .series(2)),
            BatteryQuery(
                name: "p95 by workload",
                query: "histogram_quantile(0.95, sum(rate(istio_request_duration_milliseconds_bucket{\(inbound)}[1m]))"
                    + " by (le, destination_workload))",
                tolerance: .quantile(0.05), expectation: .series(2)),
            // prometheus-adapter's Istio rule as the HPA's custom metrics API renders it
            // for the primary's pods: `sum(rate(<<.Series>>{<<.LabelMatchers>>}[2m])) by (<<.GroupBy>>)`.
            BatteryQuery(
                name: "prometheus-adapter pod rate [2m]",
                query: "sum(rate(istio_requests_total{namespace=\"\(namespace)\",pod=~\"\(primaryPods.joined(separator: "|"))\","
                    + "reporter=\"destination\"}[2m])) by (pod)",
                kind: .instant(post: true), tolerance: .relative(0.02), expectation: .series(primaryPods.count)),
            BatteryQuery(
                name: "vector(1)", query: "vector(1)", tolerance: .exact, expectation: .series(1)),
            BatteryQuery(
                name: "empty: flagger success rate, no such workload",
                query: flaggerSuccessRate(namespace: namespace, target: "\(service)-missing", interval: "1m"),
                tolerance: .percentagePoints(0.2), expectation: .empty),
            BatteryQuery(
                name: "empty: flagger p99, no such workload",
                query: flaggerRequestDuration(namespace: namespace, target: "\(service)-missing", interval: "1m"),
                tolerance: .quantile(0.05), expectation: .empty),
            // Kiali's workload health and graph (its Go client POSTs).
            BatteryQuery(
                name: "kiali rate by workload > 0",
                query: "sum(rate(istio_requests_total{reporter=\"destination\"}[1m])) by (destination_workload) > 0",
                kind: .instant(post: true), tolerance: .relative(0.02), expectation: .series(2)),
            BatteryQuery(
                name: "kiali graph edges",
                query: "sum(rate(istio_requests_total{reporter=\"destination\",destination_workload_namespace=\"\(namespace)\"}[1m]))"
                    + " by (source_workload, destination_workload)",
                kind: .instant(post: true), tolerance: .relative(0.02), expectation: .series(4)),
            // Grafana's Istio dashboards use query_range.
            BatteryQuery(
                name: "grafana rate by workload (range)",
                query: "sum(rate(istio_requests_total{\(inbound)}[1m])) by (destination_workload)",
                kind: .range(lookback: 15, step: 5), tolerance: .relative(0.02), expectation: .series(2)),
        ]
        return queries
    }
}
