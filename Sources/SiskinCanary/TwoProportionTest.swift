/// The pooled two-proportion z-test of "the canary's event rate differs from
/// the primary's" (events are 5xx responses, or requests slower than a
/// threshold), with the Newcombe interval of the difference.
///
/// Counts are frequency weights and may be fractional: Siskin's counts are
/// increases of counters over a window, extrapolated the way Prometheus'
/// `increase()` does, so 1234.6 requests is a normal input. Every formula
/// here is a smooth function of the counts, so no rounding is needed; the
/// judge's minimum-traffic gate is what keeps tiny counts from deciding.
public enum TwoProportionTest {
    public struct Result: Sendable, Equatable {
        /// Event rates as fractions (0…1).
        public var canaryRate: Double
        public var primaryRate: Double
        /// `canaryRate - primaryRate`.
        public var difference: Double
        /// The continuity-corrected, signed z-score (positive: canary higher).
        public var z: Double
        /// The p-value for the direction tested (one-sided unless `.either`).
        public var pValue: Double
        /// The two-sided confidence interval of `difference` (fractions).
        public var confidenceLevel: Double
        public var lower: Double
        public var upper: Double
    }

    /// Compares canary and primary event counts.
    ///
    /// - Parameters:
    ///   - direction: which difference is a regression; `.increase` tests
    ///     one-sided "canary rate > primary rate".
    ///   - confidenceLevel: of the reported interval of the difference.
    /// - Returns: nil when either side has no trials (the rate is undefined).
    ///
    /// The statistic is the pooled z (equal to the Pearson χ² of the 2×2
    /// table, as R's `prop.test` computes it), shrunk by the Yates
    /// correction ½·(1/n₁ + 1/n₀), never beyond |difference|. The correction
    /// is what keeps small counts (a few errors) from looking significant; at
    /// thousands of requests it is negligible. The interval is Newcombe's
    /// hybrid score interval built from two Wilson intervals: unlike the Wald
    /// interval it stays sensible at 0 errors and at rates near 0 %, which is
    /// exactly where error rates live.
    public static func compare(
        canary: (events: Double, trials: Double),
        primary: (events: Double, trials: Double),
        direction: MetricDirection,
        confidenceLevel: Double = 0.95
    ) -> Result? {
        let n1 = sanitized(canary.trials), n0 = sanitized(primary.trials)
        guard n1 > 0, n0 > 0 else { return nil }
        let x1 = min(sanitized(canary.events), n1), x0 = min(sanitized(primary.events), n0)
        let p1 = x1 / n1, p0 = x0 / n0
        let difference = p1 - p0
        let pooled = (x1 + x0) / (n1 + n0)
        let standardError = (pooled * (1 - pooled) * (1 / n1 + 1 / n0)).squareRoot()
        var z = 0.0
        if standardError > 0, standardError.isFinite {
            let correction = min(0.5 * (1 / n1 + 1 / n0), abs(difference))
            z = (difference < 0 ? -1 : 1) * (abs(difference) - correction) / standardError
        }
        let pValue: Double
        if standardError > 0, standardError.isFinite {
            switch direction {
            case .increase: pValue = StandardNormal.survival(z)
            case .decrease: pValue = StandardNormal.cdf(z)
            case .either: pValue = min(1, 2 * StandardNormal.survival(abs(z)))
            }
        } else {
            // All events or none on both sides: the rates are equal.
            pValue = 1
        }
        let level = confidenceLevel.isFinite && confidenceLevel > 0 && confidenceLevel < 1 ? confidenceLevel : 0.95
        let critical = StandardNormal.quantile(1 - (1 - level) / 2)
        let w1 = wilson(events: x1, trials: n1, z: critical)
        let w0 = wilson(events: x0, trials: n0, z: critical)
        let lower = difference - ((p1 - w1.lower) * (p1 - w1.lower) + (w0.upper - p0) * (w0.upper - p0)).squareRoot()
        let upper = difference + ((w1.upper - p1) * (w1.upper - p1) + (p0 - w0.lower) * (p0 - w0.lower)).squareRoot()
        return Result(canaryRate: p1, primaryRate: p0, difference: difference, z: z, pValue: pValue,
                      confidenceLevel: level, lower: max(-1, lower), upper: min(1, upper))
    }

    /// The Wilson score interval of a proportion, at the two-sided critical
    /// value `z`. Valid for fractional counts; (0, 1) without trials.
    public static func wilson(events: Double, trials: Double, z: Double) -> (lower: Double, upper: Double) {
        let n = sanitized(trials)
        guard n > 0, z.isFinite, z >= 0 else { return (0, 1) }
        let p = min(sanitized(events), n) / n
        let z2 = z * z
        let denominator = 1 + z2 / n
        let center = (p + z2 / (2 * n)) / denominator
        let half = z / denominator * (p * (1 - p) / n + z2 / (4 * n * n)).squareRoot()
        return (max(0, center - half), min(1, center + half))
    }

    /// Counts that are NaN, infinite or negative carry no information: 0.
    static func sanitized(_ count: Double) -> Double {
        count.isFinite && count > 0 ? count : 0
    }
}
