/// The answer for one metric, one gate, or the whole judgement.
public enum Outcome: String, Sendable, Equatable, Codable, CaseIterable {
    case pass
    case fail
    /// Not enough evidence either way: too little traffic, a marginal score,
    /// or an unusable configuration. Never to be read as `pass`.
    case inconclusive
}

/// The judgement of a canary against its primary.
///
/// Codable for the webhook's JSON answer. Every number in it is finite
/// (undefined values are absent rather than NaN), so a default
/// `JSONEncoder` encodes any verdict.
public struct Verdict: Sendable, Equatable, Codable {
    /// Judge name and version, so stored verdicts say which rules made them.
    public static let judgeName = "siskin-canary-judge-v1"

    public var judge: String
    public var outcome: Outcome
    /// 0…100: the weighted share of decided comparative metrics that
    /// passed; 0 after a critical failure or with nothing decided.
    public var score: Double
    /// One line saying why, with the deciding numbers.
    public var summary: String
    /// The two sides' raw numbers, which every metric below compares.
    public var canary: SampleSummary
    public var primary: SampleSummary
    /// Comparative metrics first (`errors`, `latency`), then SLO gates
    /// (`slo.errorRate`, `slo.p99`) that are configured.
    public var metrics: [MetricResult]

    public init(outcome: Outcome, score: Double, summary: String, canary: SampleSummary, primary: SampleSummary,
                metrics: [MetricResult]) {
        self.judge = Self.judgeName
        self.outcome = outcome
        self.score = score
        self.summary = summary
        self.canary = canary
        self.primary = primary
        self.metrics = metrics
    }

    /// The result named `name` (`errors`, `latency`, `slo.errorRate`, `slo.p99`).
    public func metric(_ name: String) -> MetricResult? { metrics.first { $0.name == name } }
}

/// One metric's or gate's judgement.
public struct MetricResult: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Equatable, Codable {
        /// Canary against primary (errors, latency).
        case comparison
        /// Canary against an absolute SLO limit.
        case gate
    }

    public var name: String
    public var kind: Kind
    public var outcome: Outcome
    /// Whether failing this fails the verdict outright (critical metrics, gates).
    public var critical: Bool
    /// Human-readable, with the numbers that decided it.
    public var reason: String
    public var statistics: MetricStatistics
}

/// The numbers behind a `MetricResult` (the sides' raw numbers are the
/// verdict's `canary` and `primary`). Rates are in percent, differences in
/// percentage points, latencies in milliseconds; absent means undefined.
public struct MetricStatistics: Sendable, Equatable, Codable {
    /// Errors: the two-proportion test of the 5xx share.
    public var errorRate: ProportionComparison?
    /// Latency: the rank test over the whole duration distribution.
    public var rank: RankComparison?
    /// Latency: p50/p99 shifts and the tail test behind the p99 gate.
    public var quantiles: QuantileShift?
    /// SLO gates: the limit and what the canary showed.
    public var gate: GateCheck?

    public init(errorRate: ProportionComparison? = nil, rank: RankComparison? = nil,
                quantiles: QuantileShift? = nil, gate: GateCheck? = nil) {
        self.errorRate = errorRate
        self.rank = rank
        self.quantiles = quantiles
        self.gate = gate
    }
}

/// One side's raw numbers.
public struct SampleSummary: Sendable, Equatable, Codable {
    public var requests: Double
    public var errors: Double
    public var errorPercent: Double?
    /// Duration histogram observations.
    public var observations: Double
    public var p50Milliseconds: Double?
    public var p99Milliseconds: Double?

    public init(_ sample: TrafficSample) {
        requests = sample.requests
        errors = sample.errors
        errorPercent = sample.errorRate.map { $0 * 100 }
        observations = sample.observations
        p50Milliseconds = sample.latencyQuantile(0.5)
        p99Milliseconds = sample.latencyQuantile(0.99)
    }
}

/// A two-proportion test, in percent.
public struct ProportionComparison: Sendable, Equatable, Codable {
    public var canaryPercent: Double
    public var primaryPercent: Double
    /// Canary minus primary, in percentage points.
    public var differencePoints: Double
    /// Two-sided confidence interval of the difference (Newcombe), points.
    public var confidenceLevel: Double
    public var lowerPoints: Double
    public var upperPoints: Double
    public var z: Double
    public var pValue: Double
    /// The significance level applied, after multiple-testing correction.
    public var alpha: Double
    public var significant: Bool

    init(_ result: TwoProportionTest.Result, alpha: Double) {
        canaryPercent = result.canaryRate * 100
        primaryPercent = result.primaryRate * 100
        differencePoints = result.difference * 100
        confidenceLevel = result.confidenceLevel
        lowerPoints = result.lower * 100
        upperPoints = result.upper * 100
        z = result.z
        pValue = result.pValue
        self.alpha = alpha
        significant = result.pValue <= alpha
    }
}

/// The Mann–Whitney test over the duration histograms.
public struct RankComparison: Sendable, Equatable, Codable {
    public var u: Double
    /// P(canary slower) + ½·P(same bucket); 0.5 means no shift.
    public var probabilityOfSuperiority: Double
    /// The effect size that fails the metric in the bad direction, if gated.
    public var effectSizeThreshold: Double?
    public var z: Double
    public var pValue: Double
    public var alpha: Double
    public var significant: Bool

    init(_ result: RankSumTest.Result, threshold: Double?, alpha: Double) {
        u = result.u
        probabilityOfSuperiority = result.probabilityOfSuperiority
        effectSizeThreshold = threshold
        z = result.z
        pValue = result.pValue
        self.alpha = alpha
        significant = result.pValue <= alpha
    }
}

/// Quantile shifts and the tail test that backs the p99 gate.
public struct QuantileShift: Sendable, Equatable, Codable {
    /// Canary quantile / primary quantile.
    public var p50Ratio: Double?
    public var p99Ratio: Double?
    /// The largest p99 ratio allowed (1 + allowedIncrease), and the smallest
    /// (1 − allowedDecrease) when a decrease is also a regression.
    public var maxP99Ratio: Double?
    public var minP99Ratio: Double?
    /// The bucket bound at or below the primary's p99: the tail test compares
    /// the shares of requests slower than it.
    public var tailThresholdMilliseconds: Double?
    public var tail: ProportionComparison?
}

/// An SLO gate check.
public struct GateCheck: Sendable, Equatable, Codable {
    /// The configured limit (percent, or milliseconds).
    public var limit: Double
    /// The canary's value (percent, or milliseconds), when defined.
    public var observed: Double?
    /// With too little traffic to pass: the one-sided lower confidence bound
    /// that failed the gate anyway (error percent, or percent of requests
    /// slower than the limit, to compare with 1 %).
    public var lowerBound: Double?
}
