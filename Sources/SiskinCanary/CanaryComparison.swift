import SiskinStore

/// Both sides of a canary window as a person wants to see them next to the
/// verdict: each side's requests, success rate, latency quantiles and its
/// whole latency histogram (non-cumulative buckets, so the two can be drawn
/// on the same axes). Read once from the store: the verdict is judged on the
/// very samples shown.
public struct CanaryComparison: Sendable, Equatable, Codable {
    public struct Side: Sendable, Equatable, Codable {
        public var workload: String
        public var requests: Double
        public var errors: Double
        /// Share of non-5xx responses (0…1); nil without requests.
        public var successRate: Double?
        /// Requests per second over the covered range; nil without one.
        public var requestRate: Double?
        public var p50: Double?
        public var p90: Double?
        public var p99: Double?
        /// Non-cumulative buckets, `+Inf` last (`le` as in the judge's JSON).
        public var buckets: [LatencyBucket]

        init(workload: String, sample: TrafficSample, seconds: Double?) {
            self.workload = workload
            requests = sample.requests
            errors = sample.errors
            successRate = sample.errorRate.map { 1 - $0 }
            requestRate = seconds.map { sample.requests / $0 }
            p50 = sample.latencyQuantile(0.5)
            p90 = sample.latencyQuantile(0.9)
            p99 = sample.latencyQuantile(0.99)
            buckets = sample.latency
        }
    }

    public var judgement: CanaryJudgement
    public var canary: Side
    public var primary: Side

    public init(_ window: CanaryWindow, judge: CanaryJudge, store: borrowing WindowedStore, now: Int64) {
        let samples = window.samples(store: store, now: now)
        judgement = CanaryJudgement(window: window, samples: samples, configuration: judge.configuration,
                                    verdict: judge.judge(canary: samples.canary, primary: samples.primary))
        var seconds: Double?
        if let from = samples.coveredFrom, let to = samples.coveredTo, to > from { seconds = Double(to - from) / 1000 }
        canary = Side(workload: window.canary, sample: samples.canary, seconds: seconds)
        primary = Side(workload: window.primary, sample: samples.primary, seconds: seconds)
    }
}
