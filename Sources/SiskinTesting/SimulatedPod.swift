import SiskinAggregation
import SiskinWire

/// Envoy's default duration buckets (ms), as Istio configures them.
public let envoyBounds: [Double] = [0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000,
                             300000, 600000, 1800000, 3600000]

/// A pod's cumulative traffic, pushed as an agent would (tests of the server
/// and of the exporter): counts per response
/// code and a latency histogram, with an instance id and sequence.
public struct SimulatedPod: Sendable {
    public var pod: String
    public var namespace = "test"
    public var workload: String
    public var revision: String
    public var instance = "agent-1"
    public var sequence: UInt64 = 0
    public var requests: [String: UInt64] = ["200": 0, "503": 0]
    /// Per-bucket (non-cumulative) counts, `+Inf` last.
    public var bucketCounts = [UInt64](repeating: 0, count: envoyBounds.count + 1)
    public var durationSum = 0.0

    public init(pod: String, namespace: String = "test", workload: String, revision: String, instance: String = "agent-1") {
        self.pod = pod
        self.namespace = namespace
        self.workload = workload
        self.revision = revision
        self.instance = instance
    }

    /// Adds `count` requests with `code`, each lasting `milliseconds`.
    public mutating func serve(_ count: UInt64, code: String = "200", milliseconds: Double = 20) {
        requests[code, default: 0] += count
        let bucket = envoyBounds.firstIndex(where: { milliseconds <= $0 }) ?? envoyBounds.count
        bucketCounts[bucket] += count
        durationSum += Double(count) * milliseconds
    }

    public func labels(code: String) -> [Label] {
        [Label("destination_canonical_revision", revision), Label("destination_workload", workload),
         Label("destination_workload_namespace", namespace), Label("namespace", namespace), Label("pod", pod),
         Label("reporter", "destination"), Label("response_code", code)].sorted()
    }

    /// The next summary, stamped `timestamp` (ms).
    public mutating func summary(at timestamp: Int64) -> PodSummary {
        sequence += 1
        let counters = requests.keys.sorted().map {
            SummarySeries(labels: labels(code: $0), value: .counter(.integer(requests[$0]!)))
        }
        var cumulative: [SampleValue] = []
        var running: UInt64 = 0
        for c in bucketCounts {
            running += c
            cumulative.append(.integer(running))
        }
        let histogram = HistogramValue(bounds: envoyBounds, bucketCounts: cumulative, sum: durationSum, count: .integer(running))
        var histogramLabels = labels(code: "200")
        histogramLabels.removeAll { $0.name == "response_code" }
        return PodSummary(
            pod: pod, namespace: namespace, podLabels: [Label("app", workload)], agentInstance: instance,
            sequence: sequence, timestampMilliseconds: timestamp, metadata: [Label("agent_version", "test")],
            families: [
                SummaryFamily(name: "istio_requests_total", kind: .counter, series: counters),
                SummaryFamily(name: "istio_request_duration_milliseconds", kind: .histogram,
                              series: [SummarySeries(labels: histogramLabels, value: .histogram(histogram))]),
            ])
    }

    public mutating func body(at timestamp: Int64) throws -> [UInt8] {
        try SummaryEncoder().encode(summary(at: timestamp)).bytes
    }
}
