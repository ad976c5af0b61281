/// Which change of a metric is a regression.
public enum MetricDirection: String, Sendable, Equatable, Codable, CaseIterable {
    /// The canary fails only when the metric went up (errors, latency).
    case increase
    /// The canary fails only when the metric went down.
    case decrease
    /// Either change fails the canary (two-sided tests).
    case either
}

/// How one comparative metric (errors or latency) is judged.
///
/// A metric fails only when its difference is statistically significant
/// *and* large enough to matter: with enough traffic every difference is
/// significant, and with little traffic every large-looking difference may
/// be noise, so neither condition alone is a useful alarm.
public struct MetricPolicy: Sendable, Equatable, Codable {
    /// Which change is a regression.
    public var direction: MetricDirection
    /// How much worse the canary may be before the metric can fail.
    /// Errors: percentage points of 5xx share (0.5 = canary 1.2 % against
    /// primary 0.7 % is allowed). Latency: relative p99 increase (0.2 = the
    /// canary's p99 may be 20 % higher). Must be ≥ 0.
    public var allowedIncrease: Double
    /// The same, for `.decrease` and `.either`: errors in points, latency as
    /// a relative p99 decrease (0.2 = may be 20 % lower). In [0, 1) for latency.
    public var allowedDecrease: Double
    /// A failing critical metric fails the whole verdict with score 0,
    /// whatever the other metrics say.
    public var critical: Bool
    /// Requests (errors) or histogram observations (latency) each side needs
    /// before the metric can pass or fail; below it the metric is
    /// `inconclusive`, never `pass`. Also the traffic an SLO gate needs to pass.
    public var minimumRequests: Double
    /// Significance level of this metric's test, before the judgement's
    /// multiple-testing correction (see `JudgeConfiguration.multipleTesting`).
    public var alpha: Double
    /// The smallest probability of superiority, P(canary > primary) +
    /// ½·P(tie), that may fail the metric (1 − this for a decrease): the
    /// rank test's effect size. nil disables this effect gate. For the 0/1
    /// outcome of a request erroring it equals ½ + Δ/2, which is why errors
    /// use `allowedIncrease` in points instead by default.
    public var effectSize: Double?
    /// Weight of the metric in the score (> 0).
    public var weight: Double

    public init(direction: MetricDirection = .increase, allowedIncrease: Double, allowedDecrease: Double? = nil,
                critical: Bool = false, minimumRequests: Double = 500, alpha: Double = 0.05,
                effectSize: Double? = nil, weight: Double = 1) {
        self.direction = direction
        self.allowedIncrease = allowedIncrease
        self.allowedDecrease = allowedDecrease ?? allowedIncrease
        self.critical = critical
        self.minimumRequests = minimumRequests
        self.alpha = alpha
        self.effectSize = effectSize
        self.weight = weight
    }

    /// 5xx share: fails when the canary's share is significantly higher and
    /// more than 0.5 points above the primary's; critical, since errors are
    /// the outage signal (Kayenta's docs recommend `critical` for those).
    public static let defaultErrors = MetricPolicy(allowedIncrease: 0.5, critical: true)

    /// Latency: fails when the canary is significantly slower and either
    /// P(canary slower) ≥ 0.6 or its p99 is more than 20 % higher.
    public static let defaultLatency = MetricPolicy(allowedIncrease: 0.2, effectSize: 0.6)

    enum CodingKeys: String, CodingKey {
        case direction, allowedIncrease, allowedDecrease, critical, minimumRequests, alpha, effectSize, weight
    }

    /// Decodes a partial policy: every missing key keeps its value in
    /// `defaults`, and an explicit `"effectSize": null` turns that gate off.
    public init(from decoder: any Decoder, defaults: MetricPolicy) throws {
        self = try PolicyOverride(from: decoder).applied(to: defaults)
    }

    /// Decodes a policy; `allowedIncrease` is required (it has no
    /// metric-independent default), other missing keys take the init's defaults.
    public init(from decoder: any Decoder) throws {
        let override = try PolicyOverride(from: decoder)
        guard let allowed = override.allowedIncrease else {
            throw DecodingError.keyNotFound(CodingKeys.allowedIncrease, .init(
                codingPath: decoder.codingPath, debugDescription: "a metric policy needs allowedIncrease"))
        }
        self = override.applied(to: MetricPolicy(allowedIncrease: allowed))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(direction, forKey: .direction)
        try c.encode(allowedIncrease, forKey: .allowedIncrease)
        try c.encode(allowedDecrease, forKey: .allowedDecrease)
        try c.encode(critical, forKey: .critical)
        try c.encode(minimumRequests, forKey: .minimumRequests)
        try c.encode(alpha, forKey: .alpha)
        try c.encode(effectSize, forKey: .effectSize)  // null: gate off
        try c.encode(weight, forKey: .weight)
    }
}

/// Absolute limits on the canary alone. Relative checks pass a canary that
/// is as broken as its primary; these gates do not. A failing gate fails the
/// verdict like a critical metric.
public struct SLOGates: Sendable, Equatable, Codable {
    /// Highest acceptable canary 5xx share in percent; nil: no gate.
    public var maxErrorPercent: Double?
    /// Highest acceptable canary p99 in milliseconds; nil: no gate.
    public var maxP99Milliseconds: Double?

    /// 5 % errors: far above any availability SLO a service would canary
    /// against (99.9 %…99 % are typical), so it never blocks a healthy
    /// service, yet it stops promoting a canary that is as broken as its
    /// primary. No p99 default: latency budgets are per service.
    public init(maxErrorPercent: Double? = 5, maxP99Milliseconds: Double? = nil) {
        self.maxErrorPercent = maxErrorPercent
        self.maxP99Milliseconds = maxP99Milliseconds
    }

    enum CodingKeys: String, CodingKey { case maxErrorPercent, maxP99Milliseconds }

    /// A missing key keeps the default; an explicit `null` turns the gate off.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = SLOGates()
        maxErrorPercent = c.contains(.maxErrorPercent)
            ? try c.decodeIfPresent(Double.self, forKey: .maxErrorPercent) : defaults.maxErrorPercent
        maxP99Milliseconds = c.contains(.maxP99Milliseconds)
            ? try c.decodeIfPresent(Double.self, forKey: .maxP99Milliseconds) : defaults.maxP99Milliseconds
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(maxErrorPercent, forKey: .maxErrorPercent)
        try c.encode(maxP99Milliseconds, forKey: .maxP99Milliseconds)
    }
}

/// Kayenta's score classification: at or above `pass` passes, below
/// `marginal` fails, in between is `inconclusive` (Kayenta's "marginal":
/// keep the canary running, do not promote yet).
public struct ScoreThresholds: Sendable, Equatable, Codable {
    public var pass: Double
    public var marginal: Double

    /// Kayenta's documented example thresholds, 95 and 75.
    public init(pass: Double = 95, marginal: Double = 75) {
        self.pass = pass
        self.marginal = marginal
    }

    enum CodingKeys: String, CodingKey { case pass, marginal }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = ScoreThresholds()
        pass = try c.decodeIfPresent(Double.self, forKey: .pass) ?? defaults.pass
        marginal = try c.decodeIfPresent(Double.self, forKey: .marginal) ?? defaults.marginal
    }
}

/// How the per-metric significance levels are adjusted for testing several
/// metrics in one judgement.
public enum MultipleTestingCorrection: String, Sendable, Equatable, Codable {
    /// Each of the m comparative tests runs at alpha/m (m = 2: errors and
    /// latency; latency splits its share between the rank test and the p99
    /// tail test). By the union bound the chance that identical canary and
    /// primary fail on significance alone is at most the mean alpha.
    case bonferroni
    /// Each metric at its own alpha: the family-wise rate can reach the sum.
    case none
}

/// Everything the judge needs besides the two samples. Decodes from partial
/// JSON: missing keys keep their defaults.
public struct JudgeConfiguration: Sendable, Equatable, Codable {
    public var errors: MetricPolicy
    public var latency: MetricPolicy
    public var slo: SLOGates
    public var scoreThresholds: ScoreThresholds
    public var multipleTesting: MultipleTestingCorrection

    public init(errors: MetricPolicy = .defaultErrors, latency: MetricPolicy = .defaultLatency,
                slo: SLOGates = SLOGates(), scoreThresholds: ScoreThresholds = ScoreThresholds(),
                multipleTesting: MultipleTestingCorrection = .bonferroni) {
        self.errors = errors
        self.latency = latency
        self.slo = slo
        self.scoreThresholds = scoreThresholds
        self.multipleTesting = multipleTesting
    }

    enum CodingKeys: String, CodingKey { case errors, latency, slo, scoreThresholds, multipleTesting }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        errors = try c.decodeIfPresent(PolicyOverride.self, forKey: .errors)?.applied(to: .defaultErrors) ?? .defaultErrors
        latency = try c.decodeIfPresent(PolicyOverride.self, forKey: .latency)?.applied(to: .defaultLatency) ?? .defaultLatency
        slo = try c.decodeIfPresent(SLOGates.self, forKey: .slo) ?? SLOGates()
        scoreThresholds = try c.decodeIfPresent(ScoreThresholds.self, forKey: .scoreThresholds) ?? ScoreThresholds()
        multipleTesting = try c.decodeIfPresent(MultipleTestingCorrection.self, forKey: .multipleTesting) ?? .bonferroni
    }

    /// What is wrong with the configuration, empty when it is usable. The
    /// judge answers `inconclusive` for an invalid configuration rather than
    /// guessing; a webhook can reject it up front with these messages.
    public var problems: [String] {
        var problems: [String] = []
        for (name, policy) in [("errors", errors), ("latency", latency)] {
            // Above ½ a one-sided test rejects more often than not, and the
            // matching 1 − 2α interval would be empty.
            if !(policy.alpha > 0 && policy.alpha <= 0.5) { problems.append("\(name).alpha must be in (0, 0.5]") }
            if !(policy.allowedIncrease >= 0) || policy.allowedIncrease.isNaN {
                problems.append("\(name).allowedIncrease must be ≥ 0")
            }
            if !(policy.allowedDecrease >= 0) || policy.allowedDecrease.isNaN {
                problems.append("\(name).allowedDecrease must be ≥ 0")
            }
            if !(policy.minimumRequests >= 0 && policy.minimumRequests.isFinite) {
                problems.append("\(name).minimumRequests must be a finite number ≥ 0")
            }
            if let effect = policy.effectSize, !(effect >= 0.5 && effect <= 1) {
                problems.append("\(name).effectSize must be in [0.5, 1]")
            }
            if !(policy.weight > 0 && policy.weight.isFinite) { problems.append("\(name).weight must be > 0") }
        }
        if !(latency.allowedDecrease < 1) { problems.append("latency.allowedDecrease must be < 1") }
        if let max = slo.maxErrorPercent, !(max >= 0 && max <= 100) {
            problems.append("slo.maxErrorPercent must be in [0, 100]")
        }
        if let max = slo.maxP99Milliseconds, !(max >= 0 && max.isFinite) {
            problems.append("slo.maxP99Milliseconds must be a finite number ≥ 0")
        }
        let t = scoreThresholds
        if !(t.marginal >= 0 && t.marginal <= t.pass && t.pass <= 100) {
            problems.append("scoreThresholds must satisfy 0 ≤ marginal ≤ pass ≤ 100")
        }
        return problems
    }
}

/// A policy whose keys are all optional, to lay over a metric's defaults.
private struct PolicyOverride: Decodable {
    typealias CodingKeys = MetricPolicy.CodingKeys
    var direction: MetricDirection?
    var allowedIncrease: Double?
    var allowedDecrease: Double?
    var critical: Bool?
    var minimumRequests: Double?
    var alpha: Double?
    /// nil: keep the default; .some(nil): explicitly off.
    var effectSize: Double??
    var weight: Double?

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        direction = try c.decodeIfPresent(MetricDirection.self, forKey: .direction)
        allowedIncrease = try c.decodeIfPresent(Double.self, forKey: .allowedIncrease)
        allowedDecrease = try c.decodeIfPresent(Double.self, forKey: .allowedDecrease)
        critical = try c.decodeIfPresent(Bool.self, forKey: .critical)
        minimumRequests = try c.decodeIfPresent(Double.self, forKey: .minimumRequests)
        alpha = try c.decodeIfPresent(Double.self, forKey: .alpha)
        effectSize = c.contains(.effectSize) ? .some(try c.decodeIfPresent(Double.self, forKey: .effectSize)) : nil
        weight = try c.decodeIfPresent(Double.self, forKey: .weight)
    }

    func applied(to defaults: MetricPolicy) -> MetricPolicy {
        var policy = defaults
        if let direction { policy.direction = direction }
        if let allowedIncrease { policy.allowedIncrease = allowedIncrease }
        if let allowedDecrease { policy.allowedDecrease = allowedDecrease }
        if let critical { policy.critical = critical }
        if let minimumRequests { policy.minimumRequests = minimumRequests }
        if let alpha { policy.alpha = alpha }
        if let effectSize { policy.effectSize = effectSize }
        if let weight { policy.weight = weight }
        return policy
    }
}
