import SiskinQuery
import SiskinStore

/// Which traffic a canary judgement compares: the canary workload and its
/// primary in one namespace, over the same window ending at `at`.
///
/// The samples are read the way `WorkloadQuerier` reads a workload: requests
/// from `istio_requests_total` (errors are the `response_code` 5xx series),
/// latency from the merged `istio_request_duration_milliseconds` buckets,
/// reported by `reporter` (`destination`, the server side, as Flagger asks).
/// Windows within the pod detail retention read the 5 s pod-level slots
/// summed over each side's pods; longer ones read the workload rollups.
public struct CanaryWindow: Sendable, Hashable, Codable {
    public var namespace: String
    /// `destination_workload` of the canary (Flagger: the target Deployment, e.g. `podinfo`).
    public var canary: String
    /// `destination_workload` of the baseline (Flagger: `podinfo-primary`).
    public var primary: String
    /// `destination` (server side) or `source`.
    public var reporter: String
    public var windowMilliseconds: Int64
    /// End of the window (ms since the epoch).
    public var at: Int64

    public init(namespace: String, canary: String, primary: String, reporter: String = "destination",
                windowMilliseconds: Int64 = 60_000, at: Int64) {
        self.namespace = namespace
        self.canary = canary
        self.primary = primary
        self.reporter = reporter
        self.windowMilliseconds = windowMilliseconds
        self.at = at
    }

    /// The level the window is read at: pod-level detail when it reaches
    /// back no further than the detail retention, rollups otherwise.
    public func level(in store: borrowing WindowedStore) -> SeriesLevel {
        windowMilliseconds <= store.configuration.detailRetentionMilliseconds ? .pod : .rollup
    }

    /// Both sides over one covered range, so they are always compared over
    /// exactly the same time. Without data in the window both are empty
    /// (and the judge says `inconclusive`).
    public func samples(store: borrowing WindowedStore, now: Int64) -> CanarySamples {
        let level = level(in: store)
        let empty = TrafficSample(requests: 0, errors: 0, latency: [])
        guard let range = store.coveredRange(from: at - windowMilliseconds, to: at, level: level, now: now) else {
            return CanarySamples(canary: empty, primary: empty, level: level, coveredFrom: nil, coveredTo: nil)
        }
        return CanarySamples(
            canary: Self.sample(workload: canary, in: self, store: store, level: level, range: range),
            primary: Self.sample(workload: primary, in: self, store: store, level: level, range: range),
            level: level, coveredFrom: range.from, coveredTo: range.to)
    }

    static func sample(workload: String, in window: CanaryWindow, store: borrowing WindowedStore, level: SeriesLevel,
                       range: (from: Int64, to: Int64)) -> TrafficSample {
        let matchers = [
            LabelMatcher.equal("reporter", window.reporter),
            LabelMatcher.equal("destination_workload_namespace", window.namespace),
            LabelMatcher.equal("destination_workload", workload),
        ]
        var requests = 0.0, errors = 0.0
        for id in store.select(level, name: WorkloadQuerier.requestsMetric, matching: matchers) {
            let n = store.total(level, id, from: range.from, to: range.to)[0]
            requests += n
            if isServerError(store.stored(level, id).key.value(of: "response_code")) { errors += n }
        }
        // Cumulative counts per bound, summed over the side's series; the
        // slot after the finite bounds is `+Inf` (then sum and count).
        var merged: [Double: Double] = [:]
        for id in store.select(level, name: WorkloadQuerier.durationMetric, matching: matchers) {
            let series = store.stored(level, id)
            let values = store.total(level, id, from: range.from, to: range.to)
            for (i, bound) in series.bounds.enumerated() { merged[bound, default: 0] += values[i] }
            merged[.infinity, default: 0] += values[series.bounds.count]
        }
        let buckets = merged.map { (upperBound: $0.key, count: $0.value) }
        return TrafficSample(requests: requests, errors: errors, cumulativeBuckets: buckets)
    }

    /// `response_code` 5xx, as Flagger's `response_code!~"5.*"` excludes.
    static func isServerError(_ code: String?) -> Bool {
        code?.utf8.first == UInt8(ascii: "5")
    }
}

/// The two sides of a `CanaryWindow` as read from the store.
public struct CanarySamples: Sendable, Equatable {
    public var canary: TrafficSample
    public var primary: TrafficSample
    public var level: SeriesLevel
    /// The part of the window the store covers (ms), nil without data.
    public var coveredFrom: Int64?
    public var coveredTo: Int64?

    public init(canary: TrafficSample, primary: TrafficSample, level: SeriesLevel, coveredFrom: Int64?,
                coveredTo: Int64?) {
        self.canary = canary
        self.primary = primary
        self.level = level
        self.coveredFrom = coveredFrom
        self.coveredTo = coveredTo
    }
}

extension CanaryJudge {
    /// Reads both sides of `window` from the store and judges them.
    public func judge(_ window: CanaryWindow, store: borrowing WindowedStore, now: Int64) -> Verdict {
        let samples = window.samples(store: store, now: now)
        return judge(canary: samples.canary, primary: samples.primary)
    }

    /// The verdict on workload `canary` against `primary` in `namespace` over
    /// `window` milliseconds ending at `at`, reported by the destination.
    public static func judge(namespace: String, canary: String, primary: String, window: Int64, at: Int64,
                             store: borrowing WindowedStore, now: Int64,
                             configuration: JudgeConfiguration = JudgeConfiguration()) -> Verdict {
        CanaryJudge(configuration: configuration).judge(
            CanaryWindow(namespace: namespace, canary: canary, primary: primary, windowMilliseconds: window, at: at),
            store: store, now: now)
    }
}
