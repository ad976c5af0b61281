import SiskinAggregation
import SiskinIngest
import SiskinStore

/// Answers `WorkloadQuery`s from the store: request rate and success rate
/// from `istio_requests_total`, quantiles from the merged
/// `istio_request_duration_milliseconds` buckets, per-pod rates from the
/// pod-level series.
public struct WorkloadQuerier: Sendable {
    public static let requestsMetric = "istio_requests_total"
    public static let durationMetric = "istio_request_duration_milliseconds"

    public init() {}

    public func answer(_ query: WorkloadQuery, store: borrowing WindowedStore, now: Int64) -> WorkloadReport {
        var matchers = [
            LabelMatcher.equal("reporter", query.reporter),
            LabelMatcher.equal("destination_workload_namespace", query.namespace),
            LabelMatcher.equal("destination_workload", query.workload),
        ]
        if let revision = query.revision { matchers.append(.equal("destination_canonical_revision", revision)) }
        var report = WorkloadReport(
            namespace: query.namespace, workload: query.workload, revision: query.revision, reporter: query.reporter,
            windowSeconds: Double(query.windowMilliseconds) / 1000, coveredFrom: nil, coveredTo: nil,
            requestRate: 0, successRate: nil, requests: 0, latencyMilliseconds: nil, pods: [])
        // Windows within the pod detail read the 5 s pod-level slots (summed
        // over the workload's pods); longer ones read the coarser rollups.
        let level: SeriesLevel = query.windowMilliseconds <= store.configuration.detailRetentionMilliseconds ? .pod : .rollup
        let mark = store.watermark(now: now)
        guard let range = store.coveredRange(from: query.at - query.windowMilliseconds, to: query.at,
                                             level: level, watermark: mark)
        else { return report }
        report.coveredFrom = range.from
        report.coveredTo = range.to
        let seconds = Double(range.to - range.from) / 1000

        // Totals and success share.
        var total = 0.0, errors = 0.0
        for id in store.select(level, name: Self.requestsMetric, matching: matchers) {
            let n = store.total(level, id, from: range.from, to: range.to)[0]
            total += n
            if Self.isServerError(store.stored(level, id).key.value(of: "response_code")) { errors += n }
        }
        report.requests = total
        report.requestRate = total / seconds
        report.successRate = total > 0 ? (total - errors) / total : nil

        // Latency from merged buckets.
        var merged: [Double: Double] = [:]
        for id in store.select(level, name: Self.durationMetric, matching: matchers) {
            let s = store.stored(level, id)
            let values = store.total(level, id, from: range.from, to: range.to)
            for (i, bound) in s.bounds.enumerated() { merged[bound, default: 0] += values[i] }
            merged[.infinity, default: 0] += values[s.bounds.count]
        }
        if let inf = merged[.infinity], inf > 0 {
            let buckets = merged.map { (upperBound: $0.key, count: $0.value) }
            report.latencyMilliseconds = .init(
                p50: HistogramQuantile.quantile(0.5, buckets: buckets),
                p90: HistogramQuantile.quantile(0.9, buckets: buckets),
                p95: HistogramQuantile.quantile(0.95, buckets: buckets),
                p99: HistogramQuantile.quantile(0.99, buckets: buckets))
        }

        // Per-pod rates from the pod-level detail.
        if let podRange = store.coveredRange(from: query.at - query.windowMilliseconds, to: query.at, level: .pod, watermark: mark) {
            let podSeconds = Double(podRange.to - podRange.from) / 1000
            var perPod: [String: (total: Double, errors: Double)] = [:]
            for id in store.select(.pod, name: Self.requestsMetric, matching: matchers) {
                let key = store.stored(.pod, id).key
                let n = store.total(.pod, id, from: podRange.from, to: podRange.to)[0]
                let pod = key.value(of: WindowedStore.podLabel) ?? ""
                perPod[pod, default: (0, 0)].total += n
                if Self.isServerError(key.value(of: "response_code")) { perPod[pod, default: (0, 0)].errors += n }
            }
            report.pods = perPod.sorted { $0.key < $1.key }.map {
                .init(pod: $0.key, requestRate: $0.value.total / podSeconds,
                      errorRate: $0.value.total > 0 ? $0.value.errors / $0.value.total : nil)
            }
        }
        return report
    }

    /// `response_code` 5xx, as Flagger's `response_code!~"5.*"` excludes.
    static func isServerError(_ code: String?) -> Bool {
        code?.utf8.first == UInt8(ascii: "5")
    }
}
