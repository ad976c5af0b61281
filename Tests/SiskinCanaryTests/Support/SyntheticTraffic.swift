import Foundation
import SiskinCanary
import SiskinTesting

/// Synthetic traffic whose answer is known: log-normal latencies bucketed
/// into Envoy's duration bounds (as a sidecar would), and binomial 5xx.
///
/// Deterministic from its seed (SplitMix64 from SiskinTesting), so every
/// property test below is reproducible and its counts fixed.
struct SyntheticTraffic {
    /// Median latency in milliseconds.
    var medianMilliseconds: Double
    /// Spread: standard deviation of ln(latency). 0.6 puts p99 at about
    /// 4× the median, a typical shape for an HTTP service.
    var sigma = 0.6
    /// Probability that a request is a 5xx.
    var errorRate = 0.005

    /// `requests` requests drawn with `seed`, as merged bucket increases.
    func sample(requests: Int, seed: UInt64) -> TrafficSample {
        var random = SeededRandom(seed: seed)
        var durations = Durations()
        var errors = 0
        for _ in 0..<max(0, requests) {
            durations.observe(medianMilliseconds * Foundation.exp(sigma * random.standardNormal()))
            if random.uniform() < errorRate { errors += 1 }
        }
        // Through the cumulative constructor, as the store's totals arrive.
        let bounds = envoyDurationBounds + [.infinity]
        let cumulative = zip(bounds, durations.cumulative).map { (upperBound: $0, count: Double($1)) }
        return TrafficSample(requests: Double(requests), errors: Double(errors), cumulativeBuckets: cumulative)
    }

    /// The same traffic with every latency multiplied by `factor`.
    func slower(_ factor: Double) -> SyntheticTraffic {
        var copy = self
        copy.medianMilliseconds *= factor
        return copy
    }
}

/// Independent seeds for the two sides of run `run`.
///
/// SplitMix64 walks its state by a fixed increment, so seeds that differ by
/// a multiple of that increment give overlapping streams (run r's draws
/// would be run r+1's shifted by one). Hashed seeds start the streams at
/// unrelated points of the 2⁶⁴ cycle.
func seeds(_ run: Int) -> (canary: UInt64, primary: UInt64) {
    var mixer = SeededRandom(seed: UInt64(run))
    return (mixer.next(), mixer.next())
}

extension SeededRandom {
    /// Uniform in (0, 1): 53 random bits, never exactly 0.
    mutating func uniform() -> Double {
        (Double(next() >> 11) + 0.5) / 9_007_199_254_740_992
    }

    /// A standard normal draw (Box–Muller, one of the pair).
    mutating func standardNormal() -> Double {
        let u1 = uniform(), u2 = uniform()
        return (-2 * Foundation.log(u1)).squareRoot() * Foundation.cos(2 * Double.pi * u2)
    }
}
