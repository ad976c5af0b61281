import SiskinQuery
import SiskinTesting
import Testing

/// Shorthand for (upper bound, cumulative count) buckets.
func buckets(_ pairs: [(Double, Double)]) -> [(upperBound: Double, count: Double)] {
    pairs.map { (upperBound: $0.0, count: $0.1) }
}

@Suite("histogram_quantile, as Prometheus computes it")
struct HistogramQuantileTests {
    let simple = buckets([(1, 10), (2, 20), (4, 40), (.infinity, 40)])

    @Test("the quantile is interpolated linearly inside the bucket that holds its rank")
    func linearInterpolation() {
        #expect(HistogramQuantile.quantile(0.75, buckets: simple) == 3)
        #expect(HistogramQuantile.quantile(0.5, buckets: simple) == 2)
        #expect(HistogramQuantile.quantile(0.625, buckets: simple) == 2.5)
        #expect(HistogramQuantile.quantile(1, buckets: simple) == 4)
    }

    @Test("the first bucket interpolates from 0 when its bound is positive")
    func firstBucketFromZero() {
        #expect(HistogramQuantile.quantile(0.1, buckets: simple) == 0.4)
        #expect(HistogramQuantile.quantile(0.25, buckets: simple) == 1)
        #expect(HistogramQuantile.quantile(0, buckets: simple) == 0)
    }

    @Test("a first bucket with a bound of zero or less returns that bound")
    func nonPositiveFirstBucket() {
        let negative = buckets([(-1, 5), (0, 10), (1, 20), (.infinity, 20)])
        #expect(HistogramQuantile.quantile(0.1, buckets: negative) == -1)
        #expect(HistogramQuantile.quantile(0.4, buckets: negative) == -0.4)
        #expect(HistogramQuantile.quantile(0.75, buckets: negative) == 0.5)
        #expect(HistogramQuantile.quantile(0.1, buckets: buckets([(0, 5), (1, 20), (.infinity, 20)])) == 0)
    }

    @Test("a rank in the +Inf bucket returns the highest finite bound")
    func rankInInfBucket() {
        let tail = buckets([(1, 10), (2, 20), (.infinity, 100)])
        #expect(HistogramQuantile.quantile(0.5, buckets: tail) == 2)
        #expect(HistogramQuantile.quantile(0.99, buckets: tail) == 2)
        #expect(HistogramQuantile.quantile(1, buckets: tail) == 2)
        #expect(HistogramQuantile.quantile(0.1, buckets: tail) == 1)
    }

    @Test("q below 0 is -Inf, above 1 is +Inf, NaN is NaN, whatever the buckets")
    func outOfRangeQuantiles() {
        #expect(HistogramQuantile.quantile(-0.01, buckets: simple) == -.infinity)
        #expect(HistogramQuantile.quantile(1.01, buckets: simple) == .infinity)
        #expect(HistogramQuantile.quantile(.nan, buckets: simple).isNaN)
        #expect(HistogramQuantile.quantile(-1, buckets: []) == -.infinity)
        #expect(HistogramQuantile.quantile(2, buckets: []) == .infinity)
        #expect(HistogramQuantile.quantile(.nan, buckets: []).isNaN)
    }

    @Test("no observations, no +Inf bucket or fewer than two buckets give NaN")
    func undefinedAnswers() {
        #expect(HistogramQuantile.quantile(0.5, buckets: buckets([(1, 0), (2, 0), (.infinity, 0)])).isNaN)
        #expect(HistogramQuantile.quantile(0.5, buckets: buckets([(1, 10), (2, 20)])).isNaN)
        #expect(HistogramQuantile.quantile(0.5, buckets: buckets([(.infinity, 20)])).isNaN)
        #expect(HistogramQuantile.quantile(0.5, buckets: []).isNaN)
    }

    @Test("bucket order does not matter and equal bounds are summed")
    func orderAndDuplicates() {
        let shuffled = buckets([(4, 40), (.infinity, 40), (1, 10), (2, 20)])
        for q in [0.1, 0.3, 0.5, 0.75, 0.9, 0.99] {
            #expect(HistogramQuantile.quantile(q, buckets: shuffled) == HistogramQuantile.quantile(q, buckets: simple))
        }
        let split = buckets([(2, 10), (1, 5), (.infinity, 10), (1, 5)])
        #expect(HistogramQuantile.quantile(0.5, buckets: split) == 0.5)
    }

    @Test("decreasing cumulative counts are lifted to the running maximum")
    func monotonicity() {
        let bumpy = buckets([(1, 10), (2, 8), (4, 20), (.infinity, 20)])
        #expect(HistogramQuantile.quantile(0.5, buckets: bumpy) == 1)
        #expect(HistogramQuantile.quantile(0.75, buckets: bumpy) == 3)
    }

    @Test("Envoy's duration buckets: p50, p90, p95 and p99 match hand-computed histogram_quantile values")
    func envoyBuckets() {
        var durations = Durations()
        durations.observe(3, times: 55)
        durations.observe(20, times: 40)
        durations.observe(80, times: 45)
        durations.observe(300, times: 5)
        durations.observe(1_200, times: 5)
        let pairs = zip(envoyDurationBounds + [.infinity], durations.cumulative.map { Double($0) }).map { ($0, $1) }
        let b = buckets(pairs)
        #expect(close(HistogramQuantile.quantile(0.5, buckets: b), 17.5))
        #expect(close(HistogramQuantile.quantile(0.9, buckets: b), 850.0 / 9))
        #expect(close(HistogramQuantile.quantile(0.95, buckets: b), 375))
        #expect(close(HistogramQuantile.quantile(0.99, buckets: b), 2_050))
        // Past the last observation: still inside le=2500, never beyond.
        #expect(HistogramQuantile.quantile(1, buckets: b) == 2_500)
    }
}
