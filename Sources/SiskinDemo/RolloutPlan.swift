/// A Flagger canary `analysis` block, with its interval in seconds of wall time
/// instead of minutes: how the demo's progressive delivery advances.
///
/// Field for field what Flagger's Canary resource takes (`interval`, `threshold`,
/// `stepWeight`, `maxWeight`, and the builtin `request-success-rate` and
/// `request-duration` metrics' `thresholdRange`), plus what Siskin's judge webhook
/// gets in its `metadata`.
public struct RolloutPlan: Sendable, Equatable {
    /// Time between analyses; also the builtin metrics' `[interval]` and, unless
    /// `judgeWindowSeconds` says otherwise, the judge's window.
    public var intervalSeconds: Double
    /// Failed checks (not necessarily in a row) after which Flagger rolls back.
    public var threshold: Int
    /// Canary weight added after each passing analysis, in percent.
    public var stepWeight: Int
    /// Weight at which a passing analysis promotes the canary, in percent.
    public var maxWeight: Int
    /// `request-success-rate` thresholdRange.min, percent of non-5xx requests.
    public var minSuccessRate: Double
    /// `request-duration` thresholdRange.max, p99 in milliseconds.
    public var maxRequestDurationMilliseconds: Double
    /// The window Siskin's judge compares canary and primary over.
    public var judgeWindowSeconds: Double?
    /// Extra judge settings sent in the webhook's metadata (docs/canary-judge.md).
    public var judgeMetadata: [String: String]

    public init(
        intervalSeconds: Double = 5, threshold: Int = 3, stepWeight: Int = 10, maxWeight: Int = 50,
        minSuccessRate: Double = 99, maxRequestDurationMilliseconds: Double = 500,
        judgeWindowSeconds: Double? = nil, judgeMetadata: [String: String] = [:]
    ) {
        self.intervalSeconds = intervalSeconds
        self.threshold = threshold
        self.stepWeight = stepWeight
        self.maxWeight = maxWeight
        self.minSuccessRate = minSuccessRate
        self.maxRequestDurationMilliseconds = maxRequestDurationMilliseconds
        self.judgeWindowSeconds = judgeWindowSeconds
        self.judgeMetadata = judgeMetadata
    }

    /// Why the plan cannot run, if it cannot.
    public var problems: [String] {
        var problems: [String] = []
        if !(intervalSeconds >= 1 && intervalSeconds <= 3600) { problems.append("interval must be 1s…1h") }
        if threshold < 1 { problems.append("threshold must be at least 1") }
        if !(1...100).contains(stepWeight) { problems.append("stepWeight must be 1…100") }
        if !(1...100).contains(maxWeight) { problems.append("maxWeight must be 1…100") }
        if stepWeight > maxWeight { problems.append("stepWeight must not exceed maxWeight") }
        if let window = judgeWindowSeconds, !(window >= 1 && window <= 3600) { problems.append("judge window must be 1s…1h") }
        return problems
    }

    /// The window the judge is asked for, in seconds.
    public var judgeWindow: Double { judgeWindowSeconds ?? intervalSeconds }

    /// Analyses a canary that keeps passing goes through: one per weight step, the last at `maxWeight`.
    public var analysesToPromotion: Int { (maxWeight + stepWeight - 1) / stepWeight }
}
