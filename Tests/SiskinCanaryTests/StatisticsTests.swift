import SiskinCanary
import Testing

/// |a − b| within `relative` of |b| (or absolutely, near 0).
func close(_ a: Double, _ b: Double, relative: Double = 1e-9) -> Bool {
    abs(a - b) <= relative * max(abs(b), 1e-300) || abs(a - b) < 1e-300
}

@Suite("standard normal")
struct StandardNormalTests {
    // Reference values from SciPy 1.17 (scipy.stats.norm).
    @Test("cdf, upper tail and quantile match SciPy")
    func matchesReference() {
        #expect(close(StandardNormal.cdf(1.96), 0.9750021048517795, relative: 1e-14))
        #expect(close(StandardNormal.survival(10), 7.61985302416047e-24, relative: 1e-12))
        #expect(close(StandardNormal.quantile(0.975), 1.959963984540054, relative: 1e-14))
        #expect(close(StandardNormal.quantile(1e-10), -6.361340902404056, relative: 1e-13))
        #expect(StandardNormal.quantile(0.5) == 0)
    }

    @Test("the quantile inverts the cdf across the range, tails included")
    func inverse() {
        for p in [1e-300, 1e-50, 1e-8, 0.001, 0.025, 0.3, 0.5, 0.7, 0.975, 0.999, 1 - 1e-12] {
            #expect(close(StandardNormal.cdf(StandardNormal.quantile(p)), p, relative: 1e-9))
        }
    }

    @Test("edges and garbage give infinities or NaN, never a trap")
    func edges() {
        #expect(StandardNormal.quantile(0) == -.infinity)
        #expect(StandardNormal.quantile(1) == .infinity)
        #expect(StandardNormal.quantile(-0.1).isNaN)
        #expect(StandardNormal.quantile(.nan).isNaN)
        #expect(StandardNormal.cdf(.nan).isNaN)
        #expect(StandardNormal.survival(.infinity) == 0)
        // Far tail kept to the edge of the double range (≈ 5.7e-300), not 0.
        #expect(StandardNormal.survival(37) > 1e-300)
    }
}

@Suite("two-proportion test")
struct TwoProportionTestTests {
    // z from SciPy's chi2_contingency(correction=True) on the 2×2 table
    // (sign of the difference, square root of the Yates χ²), the same
    // statistic R's prop.test reports.
    @Test("z and p-values match the Yates-corrected χ² of the 2×2 table", arguments: [
        (400.0, 10_000.0, 200.0, 40_000.0, 28.699063382540686, 1.959655767244014e-181),
        (31, 5000, 25, 5000, 0.6700318278037871, 0.251418750500374),
        (3, 1000, 1, 1000, 0.5005007512521914, 0.3083612636485361),
    ])
    func matchesChiSquare(x1: Double, n1: Double, x0: Double, n0: Double, z: Double, upper: Double) throws {
        let up = try #require(TwoProportionTest.compare(canary: (x1, n1), primary: (x0, n0), direction: .increase))
        #expect(close(up.z, z, relative: 1e-9))
        #expect(close(up.pValue, upper, relative: 1e-7))
        let down = try #require(TwoProportionTest.compare(canary: (x1, n1), primary: (x0, n0), direction: .decrease))
        #expect(close(down.pValue, 1 - upper, relative: 1e-9))
        let either = try #require(TwoProportionTest.compare(canary: (x1, n1), primary: (x0, n0), direction: .either))
        #expect(close(either.pValue, min(1, 2 * upper), relative: 1e-7))
    }

    // Newcombe (1998), "Interval estimation for the difference between
    // independent proportions", Table II, method 10: 56/70 − 48/80 gives
    // 0.0524 to 0.3339, and 9/10 − 3/10 gives 0.1705 to 0.8090.
    @Test("the interval is Newcombe's hybrid score interval (his published examples)")
    func newcombe() throws {
        let a = try #require(TwoProportionTest.compare(canary: (56, 70), primary: (48, 80), direction: .either))
        #expect(abs(a.lower - 0.0524) < 5e-5 && abs(a.upper - 0.3339) < 5e-5)
        let b = try #require(TwoProportionTest.compare(canary: (9, 10), primary: (3, 10), direction: .either))
        #expect(abs(b.lower - 0.1705) < 5e-5 && abs(b.upper - 0.8090) < 5e-5)
        #expect(a.confidenceLevel == 0.95)
    }

    @Test("no errors on either side: equal rates, p = 1, an interval around 0")
    func noErrors() throws {
        let r = try #require(TwoProportionTest.compare(canary: (0, 1000), primary: (0, 1000), direction: .increase))
        #expect(r.difference == 0 && r.z == 0 && r.pValue == 1)
        #expect(r.lower < 0 && r.upper > 0 && close(r.upper, 0.0038267584855551234, relative: 1e-9))
    }

    @Test("no trials, NaN and negative counts: nil or sanitized, never a trap")
    func garbage() throws {
        #expect(TwoProportionTest.compare(canary: (0, 0), primary: (1, 10), direction: .increase) == nil)
        #expect(TwoProportionTest.compare(canary: (.nan, .nan), primary: (1, 10), direction: .increase) == nil)
        let r = try #require(TwoProportionTest.compare(canary: (-5, 100), primary: (.infinity, 100), direction: .either))
        #expect(r.canaryRate == 0 && r.primaryRate == 0 && r.pValue == 1)
        let capped = try #require(TwoProportionTest.compare(canary: (500, 100), primary: (0, 100), direction: .increase))
        #expect(capped.canaryRate == 1)
        #expect(TwoProportionTest.wilson(events: 1, trials: 0, z: 1.96) == (0, 1))
    }

    @Test("fractional counts are weights: scaling both sides scales z by the square root")
    func fractionalWeights() throws {
        let base = try #require(TwoProportionTest.compare(canary: (60.5, 2000.25), primary: (40.25, 2000.75),
                                                          direction: .increase))
        let scaled = try #require(TwoProportionTest.compare(canary: (60.5 * 1e6, 2000.25 * 1e6),
                                                            primary: (40.25 * 1e6, 2000.75 * 1e6), direction: .increase))
        #expect(close(scaled.difference, base.difference, relative: 1e-12))
        // z grows as √scale = 1000, a little more since the continuity
        // correction (5 % of this difference at 2000 requests) vanishes.
        #expect(scaled.z / base.z > 1000 && scaled.z / base.z < 1060)
    }
}

@Suite("Mann–Whitney on a 2×K table")
struct RankSumTestTests {
    // SciPy's mannwhitneyu(x, y, use_continuity=True, method="asymptotic")
    // on the expanded data, x the canary's bucket indices: U of x and p.
    @Test("U and p-values match SciPy on tied data, for every alternative")
    func matchesSciPy() throws {
        let a: [Double] = [10, 30, 40, 20], b: [Double] = [20, 40, 30, 10]
        let up = try #require(RankSumTest.compare(canary: a, primary: b, direction: .increase))
        #expect(up.u == 6200)
        #expect(close(up.pValue, 0.0010470528216178691, relative: 1e-9))
        #expect(up.probabilityOfSuperiority == 0.62)
        let either = try #require(RankSumTest.compare(canary: a, primary: b, direction: .either))
        #expect(close(either.pValue, 0.0020941056432357383, relative: 1e-9))
        let down = try #require(RankSumTest.compare(canary: a, primary: b, direction: .decrease))
        #expect(close(down.pValue, 0.9989619199486266, relative: 1e-9))

        let c: [Double] = [0, 5, 3, 0, 1, 7], d: [Double] = [2, 2, 2, 2, 0, 1]
        let r = try #require(RankSumTest.compare(canary: c, primary: d, direction: .increase))
        #expect(r.u == 97.5)
        #expect(close(r.pValue, 0.07192358134489422, relative: 1e-9))
        let l = try #require(RankSumTest.compare(canary: c, primary: d, direction: .decrease))
        #expect(close(l.pValue, 0.9357543137797343, relative: 1e-9))
        let t = try #require(RankSumTest.compare(canary: c, primary: d, direction: .either))
        #expect(close(t.pValue, 0.14384716268978845, relative: 1e-9))
    }

    @Test("the tie-corrected variance equals the textbook formula")
    func varianceFormula() throws {
        let a: [Double] = [10, 30, 40, 20], b: [Double] = [20, 40, 30, 10]
        let r = try #require(RankSumTest.compare(canary: a, primary: b, direction: .increase))
        let n1 = 100.0, n2 = 100.0, n = 200.0
        let ties = zip(a, b).map { ($0 + $1) * ($0 + $1) * ($0 + $1) - ($0 + $1) }.reduce(0, +)
        let textbook = n1 * n2 / 12 * ((n + 1) - ties / (n * (n - 1)))
        #expect(close(r.standardDeviation * r.standardDeviation, textbook, relative: 1e-12))
    }

    @Test("identical histograms: U at its mean, probability of superiority ½, p large")
    func identical() throws {
        let h: [Double] = [5, 50, 500, 300, 20, 1]
        let r = try #require(RankSumTest.compare(canary: h, primary: h, direction: .increase))
        #expect(r.probabilityOfSuperiority == 0.5)
        #expect(r.pValue > 0.5)
    }

    @Test("one bucket only: every pair tied, no variance, p = 1")
    func allTied() throws {
        let r = try #require(RankSumTest.compare(canary: [0, 700, 0], primary: [0, 300, 0], direction: .either))
        #expect(r.standardDeviation == 0 && r.pValue == 1 && r.probabilityOfSuperiority == 0.5)
    }

    @Test("billions of requests: no overflow, no cancellation, effect invariant under scale")
    func hugeCounts() throws {
        let a: [Double] = [10, 30, 40, 20], b: [Double] = [20, 40, 30, 10]
        let base = try #require(RankSumTest.compare(canary: a, primary: b, direction: .increase))
        let scale = 5e7  // 5·10⁹ requests a side
        let huge = try #require(RankSumTest.compare(canary: a.map { $0 * scale }, primary: b.map { $0 * scale },
                                                    direction: .increase))
        #expect(huge.probabilityOfSuperiority == base.probabilityOfSuperiority)
        #expect(huge.z.isFinite && huge.pValue == 0)
        #expect(abs(huge.z / base.z - scale.squareRoot()) / scale.squareRoot() < 0.01)

        // A shift of 10 requests among 10⁹ in one dominant bucket is still seen.
        let n = 1e9
        let same = try #require(RankSumTest.compare(canary: [0, n, 0], primary: [0, n, 0], direction: .increase))
        let moved = try #require(RankSumTest.compare(canary: [0, n - 10, 10], primary: [0, n, 0], direction: .increase))
        #expect(same.probabilityOfSuperiority == 0.5)
        #expect(moved.probabilityOfSuperiority > 0.5 && moved.u > same.u)
        #expect(moved.standardDeviation > 0 && moved.standardDeviation.isFinite)
    }

    @Test("empty sides, mismatched tables and garbage counts: nil or sanitized")
    func garbage() throws {
        #expect(RankSumTest.compare(canary: [], primary: [], direction: .increase) == nil)
        #expect(RankSumTest.compare(canary: [1, 2], primary: [1, 2, 3], direction: .increase) == nil)
        #expect(RankSumTest.compare(canary: [0, 0], primary: [1, 2], direction: .increase) == nil)
        let r = try #require(RankSumTest.compare(canary: [.nan, 5, -3, .infinity], primary: [1, 1, 1, 1],
                                                 direction: .either))
        #expect(r.canaryCount == 5 && r.pValue.isFinite)
        // Less than one observation in all (fractional): no variance, no verdict.
        let tiny = try #require(RankSumTest.compare(canary: [0.2, 0], primary: [0, 0.3], direction: .increase))
        #expect(tiny.pValue == 1)
    }
}
