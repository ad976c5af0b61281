/// Judges a canary against its primary from the two sides' request counts,
/// 5xx counts and duration histograms over the same window.
///
/// Kayenta's NetflixACAJudge compares time series: it feeds one number per
/// interval (say, a per-minute p99) from each side into a Mann–Whitney test.
/// Siskin has the request distributions themselves (every request is in a
/// histogram bucket, every error in a counter), so it tests those directly:
/// a two-proportion test on the 5xx share and a rank test on the merged
/// duration histograms, each with an effect-size gate, plus absolute SLO
/// gates. See docs/canary-judge.md for the statistics and worked examples.
///
/// Pure and deterministic: the same inputs always give the same verdict.
public struct CanaryJudge: Sendable {
    public var configuration: JudgeConfiguration

    public init(configuration: JudgeConfiguration = JudgeConfiguration()) {
        self.configuration = configuration
    }

    /// The verdict on `canary` against `primary`, over the same window.
    public func judge(canary: TrafficSample, primary: TrafficSample) -> Verdict {
        let summaries = (canary: SampleSummary(canary), primary: SampleSummary(primary))
        let problems = configuration.problems
        guard problems.isEmpty else {
            return Verdict(outcome: .inconclusive, score: 0,
                           summary: "inconclusive: invalid configuration: " + problems.joined(separator: "; "),
                           canary: summaries.canary, primary: summaries.primary, metrics: [])
        }
        let levels = SignificanceLevels(configuration)
        var comparisons = [
            judgeErrors(canary, primary, summaries, alpha: levels.errors),
            judgeLatency(canary, primary, summaries, rankAlpha: levels.rank, tailAlpha: levels.tail),
        ]
        let weights = [configuration.errors.weight, configuration.latency.weight]
        var gates: [MetricResult] = []
        if let limit = configuration.slo.maxErrorPercent {
            gates.append(errorGate(canary, summaries, limit: limit))
        }
        if let limit = configuration.slo.maxP99Milliseconds {
            gates.append(latencyGate(canary, summaries, limit: limit))
        }

        // Score: weighted share of decided comparative metrics that passed,
        // as Kayenta scores (undecided metrics count neither way).
        var decidedWeight = 0.0, passedWeight = 0.0
        for (result, weight) in zip(comparisons, weights) where result.outcome != .inconclusive {
            decidedWeight += weight
            if result.outcome == .pass { passedWeight += weight }
        }
        var score = decidedWeight > 0 ? 100 * passedWeight / decidedWeight : 0
        let all = comparisons + gates
        let criticalFailures = all.filter { $0.critical && $0.outcome == .fail }
        let failures = all.filter { $0.outcome == .fail }
        let undecided = all.filter { $0.outcome == .inconclusive }
        let thresholds = configuration.scoreThresholds

        let outcome: Outcome
        let summary: String
        if let first = criticalFailures.first {
            score = 0
            outcome = .fail
            summary = "fail (score 0): critical \(Self.names(criticalFailures)) failed: \(first.reason)"
        } else if decidedWeight > 0, score < thresholds.marginal, let first = failures.first {
            outcome = .fail
            summary = "fail (score \(Self.score(score)) < marginal \(Self.score(thresholds.marginal))): "
                + "\(Self.names(failures)) failed: \(first.reason)"
        } else if let first = undecided.first {
            outcome = .inconclusive
            summary = "inconclusive (score \(Self.score(score))): \(Self.names(undecided)) undecided: \(first.reason)"
        } else if score >= thresholds.pass {
            outcome = .pass
            if failures.isEmpty {
                summary = "pass (score \(Self.score(score))): "
                    + (gates.isEmpty ? "no regression found" : "no regression found and within the SLO gates")
            } else {
                // Possible with uneven weights, as in Kayenta: a light
                // non-critical metric may fail without failing the canary.
                summary = "pass (score \(Self.score(score)) ≥ \(Self.score(thresholds.pass))) although "
                    + "non-critical \(Self.names(failures)) failed"
            }
        } else {
            outcome = .inconclusive
            summary = "inconclusive (score \(Self.score(score)) is marginal: at least \(Self.score(thresholds.marginal)), "
                + "below \(Self.score(thresholds.pass)) to pass): \(Self.names(failures)) failed"
        }
        comparisons.append(contentsOf: gates)
        return Verdict(outcome: outcome, score: score, summary: summary, canary: summaries.canary,
                       primary: summaries.primary, metrics: comparisons)
    }

    /// The significance level of each test after multiple-testing correction.
    struct SignificanceLevels {
        var errors: Double
        var rank: Double
        var tail: Double

        /// Bonferroni over the two comparative metrics; latency always
        /// splits its level between its two tests (rank and p99 tail), so a
        /// metric never fails identical samples more often than its alpha.
        init(_ configuration: JudgeConfiguration) {
            let tests = configuration.multipleTesting == .bonferroni ? 2.0 : 1.0
            errors = configuration.errors.alpha / tests
            rank = configuration.latency.alpha / tests / 2
            tail = rank
        }
    }

    /// Confidence level of a two-sided interval matching a test at `alpha`:
    /// a one-sided test at α pairs with a two-sided 1 − 2α interval.
    static func confidenceLevel(alpha: Double, direction: MetricDirection) -> Double {
        direction == .either ? 1 - alpha : 1 - 2 * alpha
    }

    // MARK: - Errors

    func judgeErrors(_ canary: TrafficSample, _ primary: TrafficSample,
                     _ summaries: (canary: SampleSummary, primary: SampleSummary), alpha: Double) -> MetricResult {
        let policy = configuration.errors
        var statistics = MetricStatistics()
        func result(_ outcome: Outcome, _ reason: String) -> MetricResult {
            MetricResult(name: "errors", kind: .comparison, outcome: outcome, critical: policy.critical,
                         reason: reason, statistics: statistics)
        }
        if let shortfall = Self.shortfall(canary.requests, primary.requests, needed: policy.minimumRequests,
                                          unit: "requests") {
            return result(.inconclusive, shortfall)
        }
        guard let test = TwoProportionTest.compare(
            canary: (canary.errors, canary.requests), primary: (primary.errors, primary.requests),
            direction: policy.direction,
            confidenceLevel: Self.confidenceLevel(alpha: alpha, direction: policy.direction))
        else { return result(.inconclusive, "no requests to compare") }
        let comparison = ProportionComparison(test, alpha: alpha)
        statistics.errorRate = comparison

        let difference = comparison.differencePoints
        // For a 0/1 outcome, P(canary request errs and primary's does not) +
        // ½·P(tie) = ½ + Δ/2: the rank effect size of the error indicator.
        let superiority = 0.5 + test.difference / 2
        let upBad = policy.direction != .decrease && difference > policy.allowedIncrease
            && (policy.effectSize.map { superiority >= $0 } ?? true)
        let downBad = policy.direction != .increase && -difference > policy.allowedDecrease
            && (policy.effectSize.map { superiority <= 1 - $0 } ?? true)
        let failed = comparison.significant && (upBad || downBad)

        var reason = "5xx \(NumberText.percent(comparison.canaryPercent)) (\(NumberText.count(canary.errors)) of "
            + "\(NumberText.count(canary.requests))) vs \(NumberText.percent(comparison.primaryPercent)) "
            + "(\(NumberText.count(primary.errors)) of \(NumberText.count(primary.requests))): "
            + "\(NumberText.points(difference)) points (\(Self.percentLevel(comparison.confidenceLevel)) CI "
            + "\(NumberText.points(comparison.lowerPoints)) to \(NumberText.points(comparison.upperPoints)))"
        let allowed = Self.allowedPoints(policy)
        let significance = "\(Self.sidedness(policy.direction))\(NumberText.pEquals(comparison.pValue))"
        if failed {
            reason += " beyond the allowed \(allowed) and significant (\(significance) ≤ α "
                + "\(NumberText.probability(alpha)))"
        } else if comparison.significant {
            reason += ", significant (\(significance) ≤ α \(NumberText.probability(alpha))) but within the allowed "
                + allowed
        } else {
            reason += ", not significant (\(significance) > α \(NumberText.probability(alpha)))"
        }
        if let effect = policy.effectSize {
            reason += "; effect ½+Δ/2 = \(NumberText.probability(superiority)) against \(NumberText.probability(effect))"
        }
        return result(failed ? .fail : .pass, reason)
    }

    // MARK: - Latency

    func judgeLatency(_ canary: TrafficSample, _ primary: TrafficSample,
                      _ summaries: (canary: SampleSummary, primary: SampleSummary),
                      rankAlpha: Double, tailAlpha: Double) -> MetricResult {
        let policy = configuration.latency
        var statistics = MetricStatistics()
        func result(_ outcome: Outcome, _ reason: String) -> MetricResult {
            MetricResult(name: "latency", kind: .comparison, outcome: outcome, critical: policy.critical,
                         reason: reason, statistics: statistics)
        }
        if let shortfall = Self.shortfall(canary.observations, primary.observations,
                                          needed: policy.minimumRequests, unit: "latency observations") {
            return result(.inconclusive, shortfall)
        }
        let aligned = AlignedHistograms(canary: canary, primary: primary)
        guard aligned.bounds.count >= 2 else {
            return result(.inconclusive, "the two sides' latency histograms share no finite bucket bound")
        }
        guard let rank = RankSumTest.compare(canary: aligned.canary, primary: aligned.primary,
                                             direction: policy.direction)
        else { return result(.inconclusive, "no latency buckets in common") }
        let rankComparison = RankComparison(rank, threshold: policy.effectSize, alpha: rankAlpha)
        statistics.rank = rankComparison
        let up = policy.direction != .decrease, down = policy.direction != .increase
        let superiority = rank.probabilityOfSuperiority
        let rankFailed = rankComparison.significant
            && ((up && rank.z > 0 && (policy.effectSize.map { superiority >= $0 } ?? true))
                || (down && rank.z < 0 && (policy.effectSize.map { superiority <= 1 - $0 } ?? true)))

        // Quantile shifts, and the tail test: is the share of requests slower
        // than the bucket bound below the primary's p99 significantly larger
        // on the canary? The rank test speaks for the bulk of the
        // distribution; a regression of the slowest 2 % barely moves it.
        var shift = QuantileShift()
        let (c50, p50) = (summaries.canary.p50Milliseconds, summaries.primary.p50Milliseconds)
        let (c99, p99) = (summaries.canary.p99Milliseconds, summaries.primary.p99Milliseconds)
        shift.p50Ratio = Self.ratio(c50, p50)
        shift.p99Ratio = Self.ratio(c99, p99)
        shift.maxP99Ratio = up ? 1 + policy.allowedIncrease : nil
        shift.minP99Ratio = down ? 1 - policy.allowedDecrease : nil
        var tailFailed = false
        if let bucket = AlignedHistograms.quantileBucket(0.99, of: aligned.primary) {
            let start = max(bucket, 1)
            if start < aligned.bounds.count {
                let threshold = aligned.bounds[start - 1]
                let canaryTail = aligned.canary[start...].reduce(0, +)
                let primaryTail = aligned.primary[start...].reduce(0, +)
                if let test = TwoProportionTest.compare(
                    canary: (canaryTail, rank.canaryCount), primary: (primaryTail, rank.primaryCount),
                    direction: policy.direction,
                    confidenceLevel: Self.confidenceLevel(alpha: tailAlpha, direction: policy.direction)) {
                    let tail = ProportionComparison(test, alpha: tailAlpha)
                    shift.tailThresholdMilliseconds = threshold
                    shift.tail = tail
                    if tail.significant, let ratio = shift.p99Ratio {
                        tailFailed = (up && test.difference > 0 && ratio > 1 + policy.allowedIncrease)
                            || (down && test.difference < 0 && ratio < 1 - policy.allowedDecrease)
                    }
                }
            }
        }
        statistics.quantiles = shift

        let sided = Self.sidedness(policy.direction)
        var clauses: [String] = []
        var rankClause = "P(canary slower) \(NumberText.probability(superiority))"
        if let effect = policy.effectSize {
            rankClause += up && down ? " (fails ≥ \(NumberText.probability(effect)) or ≤ \(NumberText.probability(1 - effect)))"
                : up ? " (fails ≥ \(NumberText.probability(effect)))" : " (fails ≤ \(NumberText.probability(1 - effect)))"
        }
        rankClause += ", z = \(NumberText.z(rank.z)), \(sided)\(NumberText.pEquals(rank.pValue)) "
            + (rankComparison.significant ? "≤" : ">") + " α \(NumberText.probability(rankAlpha))"
        clauses.append(rankClause)
        clauses.append("p50 \(Self.milliseconds(p50)) → \(Self.milliseconds(c50))"
            + (shift.p50Ratio.map { " (\(NumberText.ratio($0)))" } ?? ""))
        var p99Clause = "p99 \(Self.milliseconds(p99)) → \(Self.milliseconds(c99))"
        if let ratio = shift.p99Ratio {
            p99Clause += " (\(NumberText.ratio(ratio)); allowed "
                + [shift.minP99Ratio.map { "≥ \(NumberText.ratio($0))" }, shift.maxP99Ratio.map { "≤ \(NumberText.ratio($0))" }]
                .compactMap { $0 }.joined(separator: " and ") + ")"
        }
        if let tail = shift.tail, let threshold = shift.tailThresholdMilliseconds {
            p99Clause += "; slower than \(NumberText.milliseconds(threshold)): "
                + "\(NumberText.percent(tail.primaryPercent)) → \(NumberText.percent(tail.canaryPercent)), "
                + "\(sided)\(NumberText.pEquals(tail.pValue)) " + (tail.significant ? "≤" : ">")
                + " α \(NumberText.probability(tailAlpha))"
        }
        clauses.append(p99Clause)

        let failed = rankFailed || tailFailed
        var verdict: String
        if failed {
            var why: [String] = []
            if rankFailed { why.append("the distribution shifted beyond the effect-size gate") }
            if tailFailed { why.append("the p99 shift exceeds the allowed ratio with a significant tail") }
            verdict = "regression: " + why.joined(separator: ", and ")
        } else {
            verdict = "no significant regression beyond the gates"
        }
        return result(failed ? .fail : .pass, verdict + ": " + clauses.joined(separator: "; "))
    }

    // MARK: - SLO gates

    func errorGate(_ canary: TrafficSample, _ summaries: (canary: SampleSummary, primary: SampleSummary),
                   limit: Double) -> MetricResult {
        let policy = configuration.errors
        var check = GateCheck(limit: limit, observed: summaries.canary.errorPercent, lowerBound: nil)
        func result(_ outcome: Outcome, _ reason: String) -> MetricResult {
            MetricResult(name: "slo.errorRate", kind: .gate, outcome: outcome, critical: true, reason: reason,
                         statistics: MetricStatistics(gate: check))
        }
        let primaryText = summaries.primary.errorPercent.map { "; primary \(NumberText.percent($0))" } ?? ""
        guard let observed = check.observed else {
            return result(.inconclusive, "no canary requests to check against the \(NumberText.percent(limit)) limit")
        }
        let observedText = "canary 5xx \(NumberText.percent(observed)) (\(NumberText.count(canary.errors)) of "
            + "\(NumberText.count(canary.requests))\(primaryText))"
        if canary.requests >= policy.minimumRequests {
            return observed > limit
                ? result(.fail, "\(observedText) above the \(NumberText.percent(limit)) limit")
                : result(.pass, "\(observedText) within the \(NumberText.percent(limit)) limit")
        }
        // Too little traffic to pass, but possibly enough to fail: a canary
        // answering 30 of 40 requests with 503 need not wait for 500.
        let z = StandardNormal.quantile(1 - policy.alpha)
        let lower = TwoProportionTest.wilson(events: canary.errors, trials: canary.requests, z: z).lower * 100
        check.lowerBound = lower
        let confidence = Self.percentLevel(1 - policy.alpha)
        if lower > limit {
            return result(.fail, "\(observedText): with \(confidence) confidence at least \(NumberText.percent(lower)), "
                + "above the \(NumberText.percent(limit)) limit")
        }
        return result(.inconclusive, "\(observedText): \(NumberText.count(canary.requests)) requests, fewer than the "
            + "\(NumberText.count(policy.minimumRequests)) needed to pass the \(NumberText.percent(limit)) limit")
    }

    func latencyGate(_ canary: TrafficSample, _ summaries: (canary: SampleSummary, primary: SampleSummary),
                     limit: Double) -> MetricResult {
        let policy = configuration.latency
        var check = GateCheck(limit: limit, observed: summaries.canary.p99Milliseconds, lowerBound: nil)
        func result(_ outcome: Outcome, _ reason: String) -> MetricResult {
            MetricResult(name: "slo.p99", kind: .gate, outcome: outcome, critical: true, reason: reason,
                         statistics: MetricStatistics(gate: check))
        }
        let primaryText = summaries.primary.p99Milliseconds.map { " (primary \(NumberText.milliseconds($0)))" } ?? ""
        if let observed = check.observed, canary.observations >= policy.minimumRequests {
            let text = "canary p99 \(NumberText.milliseconds(observed))\(primaryText)"
            return observed > limit
                ? result(.fail, "\(text) above the \(NumberText.milliseconds(limit)) limit")
                : result(.pass, "\(text) within the \(NumberText.milliseconds(limit)) limit")
        }
        // Few observations: fail only if more than 1 % of requests are
        // certainly slower than the limit (their bucket starts at or above
        // it), with the policy's confidence.
        var slower = 0.0, previousBound = -Double.infinity
        for bucket in canary.latency {
            if previousBound >= limit { slower += bucket.count }
            previousBound = bucket.upperBound
        }
        let n = canary.observations
        if n > 0 {
            let z = StandardNormal.quantile(1 - policy.alpha)
            let lower = TwoProportionTest.wilson(events: slower, trials: n, z: z).lower * 100
            check.lowerBound = lower
            if lower > 1 {
                return result(.fail, "only \(NumberText.count(n)) canary observations, but with "
                    + "\(Self.percentLevel(1 - policy.alpha)) confidence at least \(NumberText.percent(lower)) of "
                    + "requests are slower than the \(NumberText.milliseconds(limit)) limit, so p99 is above it")
            }
        }
        if n >= policy.minimumRequests, n > 0 {
            return result(.inconclusive, "canary p99 undefined: no finite latency bucket holds it")
        }
        return result(.inconclusive, "\(NumberText.count(n)) canary observations, fewer than the "
            + "\(NumberText.count(policy.minimumRequests)) needed to pass the \(NumberText.milliseconds(limit)) p99 limit")
    }

    // MARK: - Text helpers

    /// Why a comparison cannot be decided for lack of traffic, nil if it can.
    static func shortfall(_ canary: Double, _ primary: Double, needed: Double, unit: String) -> String? {
        guard canary < needed || primary < needed || canary <= 0 || primary <= 0 else { return nil }
        return "too little traffic: canary \(NumberText.count(canary)), primary \(NumberText.count(primary)) \(unit); "
            + "each side needs \(NumberText.count(max(needed, 1)))"
    }

    static func ratio(_ a: Double?, _ b: Double?) -> Double? {
        guard let a, let b, b > 0 else { return nil }
        let r = a / b
        return r.isFinite ? r : nil
    }

    static func milliseconds(_ x: Double?) -> String { x.map(NumberText.milliseconds) ?? "n/a" }

    static func names(_ results: [MetricResult]) -> String { results.map(\.name).joined(separator: ", ") }

    static func score(_ x: Double) -> String { NumberText.probability((x * 10).rounded() / 10) }

    static func percentLevel(_ level: Double) -> String {
        NumberText.probability((level * 1000).rounded() / 10) + " %"
    }

    static func sidedness(_ direction: MetricDirection) -> String {
        direction == .either ? "two-sided " : "one-sided "
    }

    static func allowedPoints(_ policy: MetricPolicy) -> String {
        switch policy.direction {
        case .increase: "+\(NumberText.probability(policy.allowedIncrease)) points"
        case .decrease: "−\(NumberText.probability(policy.allowedDecrease)) points"
        case .either: "+\(NumberText.probability(policy.allowedIncrease))/−\(NumberText.probability(policy.allowedDecrease)) points"
        }
    }
}
