import SiskinAggregation
import SiskinIngest

/// Envoy's bucket bounds for Istio's duration histograms, in milliseconds.
public let envoyDurationBounds: [Double] = [
    0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000, 1800000, 3600000,
]

public let requestsTotal = "istio_requests_total"
public let requestDuration = "istio_request_duration_milliseconds"

/// A cumulative duration histogram as Envoy keeps it.
public struct Durations: Hashable, Sendable {
    public init() {}

    /// Observations per bucket (not cumulative): one per finite bound, then `+Inf`.
    public var perBucket = [UInt64](repeating: 0, count: envoyDurationBounds.count + 1)
    public var sum = 0.0

    /// Records `times` observations of `milliseconds` (`le` is inclusive).
    public mutating func observe(_ milliseconds: Double, times: UInt64 = 1) {
        let bucket = envoyDurationBounds.firstIndex(where: { milliseconds <= $0 }) ?? envoyDurationBounds.count
        perBucket[bucket] += times
        sum += milliseconds * Double(times)
    }

    public var count: UInt64 { perBucket.reduce(0, +) }

    /// Cumulative bucket counts, `+Inf` last.
    public var cumulative: [UInt64] {
        var running: UInt64 = 0
        return perBucket.map { running += $0; return running }
    }

    public var value: HistogramValue {
        HistogramValue(bounds: envoyDurationBounds, bucketCounts: cumulative.map { .integer($0) },
                       sum: sum, count: .integer(count))
    }

    /// The store layout of this histogram: cumulative buckets, `+Inf`, sum, count.
    public var storeValues: [Double] { cumulative.map { Double($0) } + [sum, Double(count)] }
}

/// One pod's Istio telemetry as its agent pushes it: cumulative
/// `istio_requests_total` and `istio_request_duration_milliseconds` per
/// response code, labelled as Istio labels the server side
/// (`reporter="destination"`).
public struct IstioPod: Sendable {
    public var pod: String
    public var namespace: String
    public var workload: String
    public var revision = "v1"
    public var reporter = "destination"
    public var agentInstance = "agent-1"
    public var podLabels: [Label] = []
    public var metadata: [Label] = []
    /// Cumulative request counts per response code.
    public var requests: [String: SampleValue] = [:]
    /// Cumulative duration histograms per response code.
    public var durations: [String: Durations] = [:]
    /// More families, pushed as they are (after the Istio ones).
    public var extraFamilies: [SummaryFamily] = []
    /// Sequence of the last summary `push(at:)` produced.
    public var sequence: UInt64 = 0

    public init(pod: String, namespace: String = "shop", workload: String) {
        self.pod = pod
        self.namespace = namespace
        self.workload = workload
    }

    /// Serves `count` requests answered with `code`, each taking `latency` ms
    /// when given (otherwise only the counter moves).
    public mutating func serve(_ count: UInt64, code: String = "200", latency: Double? = nil) {
        requests[code] = .integer((requests[code]?.integerValue ?? 0) + count)
        if let latency { durations[code, default: Durations()].observe(latency, times: count) }
    }

    /// The labels of this pod's series for `code`, sorted by name.
    public func labels(code: String) -> [Label] {
        [
            Label("reporter", reporter), Label("destination_workload", workload),
            Label("destination_workload_namespace", namespace), Label("destination_canonical_revision", revision),
            Label("response_code", code), Label("pod", pod), Label("namespace", namespace),
        ].sorted()
    }

    public func requestsKey(code: String) -> SeriesKey { SeriesKey(name: requestsTotal, labels: labels(code: code)) }
    public func durationKey(code: String) -> SeriesKey { SeriesKey(name: requestDuration, labels: labels(code: code)) }

    /// The summary an agent would push now.
    public func summary(sequence: UInt64, at timestampMilliseconds: Int64) -> PodSummary {
        var families: [SummaryFamily] = []
        if !durations.isEmpty {
            families.append(SummaryFamily(name: requestDuration, kind: .histogram, series: durations.keys.sorted().map {
                SummarySeries(labels: labels(code: $0), value: .histogram(durations[$0]!.value))
            }))
        }
        if !requests.isEmpty {
            families.append(SummaryFamily(name: requestsTotal, kind: .counter, series: requests.keys.sorted().map {
                SummarySeries(labels: labels(code: $0), value: .counter(requests[$0]!))
            }))
        }
        return PodSummary(pod: pod, namespace: namespace, podLabels: podLabels, agentInstance: agentInstance,
                          sequence: sequence, timestampMilliseconds: timestampMilliseconds, metadata: metadata,
                          families: families + extraFamilies)
    }

    /// The next summary of this agent instance (sequence + 1).
    public mutating func push(at timestampMilliseconds: Int64) -> PodSummary {
        sequence += 1
        return summary(sequence: sequence, at: timestampMilliseconds)
    }
}

extension IstioPod {
    /// The workload rollup's key for `code`: the pod's series without `pod`.
    public func rollupKey(code: String) -> SeriesKey {
        SeriesKey(name: requestsTotal, labels: labels(code: code).filter { $0.name != "pod" })
    }

    public func durationRollupKey(code: String) -> SeriesKey {
        SeriesKey(name: requestDuration, labels: labels(code: code).filter { $0.name != "pod" })
    }
}
