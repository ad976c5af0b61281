import SiskinAggregation
import SiskinWire

/// Envoy's default duration buckets (ms), as Istio configures them.
let envoyBounds: [Double] = [0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000,
                             300000, 600000, 1800000, 3600000]

/// A pod's cumulative traffic, pushed as an agent would: counts per response
/// code and a latency histogram, with an instance id and sequence.
struct SimulatedPod {
    var pod: String
    var namespace = "test"
    var workload: String
    var revision: String
    var instance = "agent-1"
    var sequence: UInt64 = 0
    var requests: [String: UInt64] = ["200": 0, "503": 0]
    /// Per-bucket (non-cumulative) counts, `+Inf` last.
    var bucketCounts = [UInt64](repeating: 0, count: envoyBounds.count + 1)
    var durationSum = 0.0

    /// Adds `count` requests with `code`, each lasting `milliseconds`.
    mutating func serve(_ count: UInt64, code: String = "200", milliseconds: Double = 20) {
        requests[code, default: 0] += count
        let bucket = envoyBounds.firstIndex(where: { milliseconds <= $0 }) ?? envoyBounds.count
        bucketCounts[bucket] += count
        durationSum += Double(count) * milliseconds
    }

    func labels(code: String) -> [Label] {
        [Label("destination_canonical_revision", revision), Label("destination_workload", workload),
         Label("destination_workload_namespace", namespace), Label("namespace", namespace), Label("pod", pod),
         Label("reporter", "destination"), Label("response_code", code)].sorted()
    }

    /// The next summary, stamped `timestamp` (ms).
    mutating func summary(at timestamp: Int64) -> PodSummary {
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

    mutating func body(at timestamp: Int64) throws -> [UInt8] {
        try SummaryEncoder().encode(summary(at: timestamp)).bytes
    }
}
