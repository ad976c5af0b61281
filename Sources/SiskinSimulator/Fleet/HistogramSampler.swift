/// Turns "k requests drawn from this distribution" into histogram increments.
///
/// Small batches are sampled one observation at a time. Large batches (a busy series over
/// a 15 s interval can see thousands of requests) are split over buckets by their exact
/// log-normal probabilities with random rounding that keeps the total exact, and each
/// bucket's sum is its count times the distribution's conditional mean inside the bucket
/// (plus a little noise), clamped so every implied value stays inside its bucket. Either
/// way counts, `_count` and `_sum` stay mutually consistent.
struct HistogramSampler: Sendable {
    /// Batches up to this size are sampled request by request.
    static let perRequestLimit: UInt64 = 48
    /// Largest value kept, in hundredths (10^10 ms, ~115 days; keeps sums far from overflow).
    static let maximumHundredths: UInt64 = 1_000_000_000_000

    let distribution: LogNormalDistribution
    /// Resolution in hundredths: 1 for latencies (0.01 ms), 100 for sizes (whole bytes).
    let quantum: UInt64
    /// Probability of each bucket after rounding to the quantum (infeasible buckets folded
    /// into the next one: no whole number of bytes is ≤ 0.5).
    let probabilities: [Double]
    /// E[value | bucket], in units.
    let conditionalMeans: [Double]
    /// Smallest and largest representable value in each bucket, in hundredths.
    let lowest: [UInt64]
    let highest: [UInt64]

    init(_ distribution: LogNormalDistribution, quantum: UInt64) {
        self.distribution = distribution
        self.quantum = quantum
        let bounds = EnvoyHistogramBuckets.boundsInHundredths
        var lowest: [UInt64] = []
        var highest: [UInt64] = []
        var previous: UInt64 = 0
        for bound in bounds {
            let high = bound == .max ? Self.maximumHundredths : bound / quantum * quantum
            lowest.append(max(quantum, (previous / quantum + 1) * quantum))
            highest.append(high)
            previous = bound == .max ? previous : bound
        }
        // Values below quantum/2 round to 0 and are stored as one quantum, so the first
        // feasible bucket also takes everything down to 0.
        var probabilities: [Double] = []
        var means: [Double] = []
        var carriedProbability = 0.0
        var carriedExpectation = 0.0
        var lastEdge = 0.0
        var lastCDF = 0.0
        var lastPartial = 0.0
        for index in bounds.indices {
            let edge = bounds[index] == .max ? Double.infinity : (Double(highest[index]) + Double(quantum) / 2) / 100
            let cdf = edge == .infinity ? 1 : max(lastCDF, distribution.cdf(edge))
            let partial = max(lastPartial, distribution.partialExpectation(upTo: edge))
            var probability = cdf - lastCDF + carriedProbability
            var expectation = partial - lastPartial + carriedExpectation
            if edge <= lastEdge || lowest[index] > highest[index] {
                carriedProbability = probability
                carriedExpectation = expectation
                probability = 0
                expectation = 0
            } else {
                carriedProbability = 0
                carriedExpectation = 0
            }
            probabilities.append(max(0, probability))
            let low = Double(lowest[index]) / 100
            let high = Double(highest[index]) / 100
            let mean = probability > 0 ? expectation / probability : (low + min(high, low * 2)) / 2
            means.append(min(max(mean, low), high))
            lastEdge = max(lastEdge, edge)
            lastCDF = cdf
            lastPartial = partial
        }
        self.probabilities = probabilities
        self.conditionalMeans = means
        self.lowest = lowest
        self.highest = highest
    }

    /// `value` (in units) rounded to the quantum, in hundredths; 0 for non-positive input.
    static func hundredths(_ value: Double, quantum: UInt64) -> UInt64 {
        guard value > 0, value.isFinite else { return 0 }
        let steps = (min(value * 100, Double(maximumHundredths)) / Double(quantum)).rounded()
        return UInt64(steps) * quantum
    }

    /// Adds `count` observations to `histogram`.
    func sample(count: UInt64, using rng: inout Xoshiro256StarStar, into histogram: inout HistogramCounts) {
        guard count > 0 else { return }
        if count <= Self.perRequestLimit {
            for _ in 0..<count {
                let value = Self.hundredths(distribution.sample(using: &rng), quantum: quantum)
                histogram.observe(hundredths: max(value, quantum))
            }
            return
        }
        var perBucket: [UInt64] = []
        rng.apportion(count, weights: probabilities, into: &perBucket)
        for bucket in perBucket.indices where perBucket[bucket] > 0 {
            let k = perBucket[bucket]
            let noise = 1 + 0.25 * rng.nextGaussian() / Double(k).squareRoot()
            let rawSum = conditionalMeans[bucket] * 100 * Double(k) * max(0.5, noise)
            let low = Double(lowest[bucket]) * Double(k)
            let high = Double(highest[bucket]) * Double(k)
            let clamped = min(max(rawSum, low), high)
            let sum = UInt64((clamped / Double(quantum)).rounded()) * quantum
            histogram.bucketCounts[bucket] &+= k
            histogram.count &+= k
            histogram.sumHundredths &+= sum
        }
    }

    /// Sum of `count` independent draws, rounded to whole units of the quantum (used for
    /// TCP byte counters, which have no buckets).
    func sampleTotal(count: UInt64, using rng: inout Xoshiro256StarStar) -> UInt64 {
        guard count > 0 else { return 0 }
        if count <= Self.perRequestLimit {
            var total: UInt64 = 0
            for _ in 0..<count {
                total &+= max(Self.hundredths(distribution.sample(using: &rng), quantum: quantum), quantum)
            }
            return total / 100
        }
        let variance = (LibM.exp(distribution.sigma * distribution.sigma) - 1)
        let relativeError = variance.squareRoot() / Double(count).squareRoot()
        let total = distribution.mean * Double(count) * max(0.2, 1 + relativeError * rng.nextGaussian())
        return UInt64(min(total, 1e15).rounded())
    }
}
