/// The Mann–Whitney U (Wilcoxon rank-sum) test on a 2×K table of bucket
/// counts: two histograms over the same ordered buckets.
///
/// A latency histogram does not keep individual durations, only how many
/// fell in each bucket, so every bucket is one group of tied observations.
/// That is all the rank test needs: the mid-rank of a tied group is the same
/// for every member, so U, its expectation and its tie-corrected variance
/// follow from the counts alone, in O(K) whatever the number of requests.
///
/// Counts are frequency weights (fractional increases are fine) and every
/// quantity is computed in a form that neither overflows nor cancels at
/// billions of requests; see the inline notes.
public enum RankSumTest {
    public struct Result: Sendable, Equatable {
        /// Canary and primary observation counts (n₁, n₂).
        public var canaryCount: Double
        public var primaryCount: Double
        /// U of the canary: pairs (canary, primary) with the canary slower,
        /// plus half the tied pairs.
        public var u: Double
        /// U / (n₁·n₂) = P(canary > primary) + ½·P(tie): 0.5 when the two
        /// distributions are the same, 1 when every canary request is slower
        /// than every primary one. The effect size (Vargha–Delaney A).
        public var probabilityOfSuperiority: Double
        /// The tie-corrected standard deviation of U under "same distribution".
        public var standardDeviation: Double
        /// The continuity-corrected, signed z-score (positive: canary slower).
        public var z: Double
        /// The p-value for the direction tested (one-sided unless `.either`).
        public var pValue: Double
    }

    /// Compares canary and primary counts over the same ordered buckets.
    ///
    /// - Returns: nil when the tables differ in length or a side is empty.
    ///
    /// With aₖ, bₖ the canary and primary counts of bucket k, tₖ = aₖ + bₖ,
    /// n₁ = Σa, n₂ = Σb, N = n₁ + n₂:
    ///
    ///     U − n₁n₂/2 = ½ Σₖ aₖ·(Σ_{j<k} bⱼ − Σ_{j>k} bⱼ)
    ///     Var U      = n₁n₂ / (12·N·(N−1)) · Σₖ tₖ·(N − tₖ)·(N + tₖ)
    ///
    /// The variance is the textbook n₁n₂/12·[(N+1) − Σ(tₖ³−tₖ)/(N(N−1))]
    /// rewritten with N³ − N − Σ(tₖ³ − tₖ) = Σ tₖ(N−tₖ)(N+tₖ), which avoids
    /// subtracting two numbers of order N³ when one bucket holds nearly all
    /// requests. U is likewise computed as its deviation from n₁n₂/2, so a
    /// tiny shift among 10⁹ requests is not lost to rounding. z carries the
    /// usual ½ continuity correction, so p-values match R's `wilcox.test`
    /// (`exact = FALSE, correct = TRUE`) on the expanded data.
    public static func compare(canary: [Double], primary: [Double], direction: MetricDirection) -> Result? {
        guard canary.count == primary.count, !canary.isEmpty else { return nil }
        let a = canary.map(TwoProportionTest.sanitized), b = primary.map(TwoProportionTest.sanitized)
        let n1 = a.reduce(0, +), n2 = b.reduce(0, +)
        guard n1 > 0, n2 > 0 else { return nil }
        let total = n1 + n2

        // Deviation of U from its mean, and the tie sum, in one pass.
        var below = 0.0          // primary observations in lower buckets
        var deviation = 0.0      // U − n₁n₂/2
        var tieSum = 0.0         // Σ t(N−t)(N+t)
        for k in a.indices {
            let above = max(0, n2 - below - b[k])
            deviation += a[k] * (below - above) / 2
            let t = a[k] + b[k]
            tieSum += t * max(0, total - t) * (total + t)
            below += b[k]
        }
        let pairs = n1 * n2
        let u = pairs / 2 + deviation
        let superiority = min(1, max(0, 0.5 + deviation / pairs))
        let variance = total > 1 ? pairs / (12 * total * (total - 1)) * tieSum : 0
        let standardDeviation = variance > 0 && variance.isFinite ? variance.squareRoot() : 0

        var z = 0.0
        var pValue = 1.0
        if standardDeviation > 0 {
            // The ½ continuity correction toward the null, as R's
            // wilcox.test and SciPy's mannwhitneyu apply it per alternative.
            switch direction {
            case .increase:
                z = (deviation - 0.5) / standardDeviation
                pValue = StandardNormal.survival(z)
            case .decrease:
                z = (deviation + 0.5) / standardDeviation
                pValue = StandardNormal.cdf(z)
            case .either:
                z = (deviation < 0 ? -1 : 1) * max(0, abs(deviation) - 0.5) / standardDeviation
                pValue = min(1, 2 * StandardNormal.survival(abs(z)))
            }
        }
        return Result(canaryCount: n1, primaryCount: n2, u: u, probabilityOfSuperiority: superiority,
                      standardDeviation: standardDeviation, z: z, pValue: pValue)
    }
}
