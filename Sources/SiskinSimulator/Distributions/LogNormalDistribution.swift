/// A log-normal distribution, the usual shape of request latencies and payload sizes:
/// a body around the median and a long right tail.
///
/// Described by its median and 99th percentile because that is how people talk about
/// latency; `scaled(by:)` multiplies every quantile, so "the canary is twice as slow" is
/// `primaryLatency.scaled(by: 2)`.
public struct LogNormalDistribution: Sendable, Hashable, CustomStringConvertible {
    /// Mean of the underlying normal (the log of the median).
    public var mu: Double
    /// Standard deviation of the underlying normal; larger means a heavier tail.
    public var sigma: Double

    /// z-score of the 99th percentile of the standard normal distribution.
    static let z99 = 2.326_347_874_040_840_8

    /// Creates the distribution from its parameters on the log scale.
    public init(mu: Double, sigma: Double) {
        self.mu = mu
        self.sigma = max(sigma, 1e-9)
    }

    /// Creates the distribution from its median and 99th percentile (`p99 ≥ median > 0`).
    public init(median: Double, p99: Double) {
        precondition(median > 0 && p99 >= median, "need 0 < median <= p99")
        self.init(mu: LibM.log(median), sigma: LibM.log(p99 / median) / Self.z99)
    }

    /// A latency distribution in milliseconds.
    public static func latency(medianMs: Double, p99Ms: Double) -> Self {
        Self(median: medianMs, p99: p99Ms)
    }

    /// A payload-size distribution in bytes.
    public static func bytes(median: Double, p99: Double) -> Self {
        Self(median: median, p99: p99)
    }

    /// The median (50th percentile).
    public var median: Double { LibM.exp(mu) }
    /// The 99th percentile.
    public var p99: Double { LibM.exp(mu + Self.z99 * sigma) }
    /// The mean, `exp(mu + sigma²/2)`.
    public var mean: Double { LibM.exp(mu + sigma * sigma / 2) }

    /// The same shape with every quantile multiplied by `factor` ("2x latency").
    public func scaled(by factor: Double) -> Self {
        precondition(factor > 0, "scale factor must be positive")
        return Self(mu: mu + LibM.log(factor), sigma: sigma)
    }

    /// P(X ≤ x).
    public func cdf(_ x: Double) -> Double {
        guard x > 0 else { return 0 }
        if x == .infinity { return 1 }
        return NormalDistribution.cdf((LibM.log(x) - mu) / sigma)
    }

    /// E[X · 1{X ≤ x}], the part of the mean contributed by values up to `x`; differences of
    /// it give the exact conditional mean inside a histogram bucket.
    public func partialExpectation(upTo x: Double) -> Double {
        guard x > 0 else { return 0 }
        if x == .infinity { return mean }
        return mean * NormalDistribution.cdf((LibM.log(x) - mu - sigma * sigma) / sigma)
    }

    /// Draws one value.
    public func sample(using rng: inout Xoshiro256StarStar) -> Double {
        LibM.exp(mu + sigma * rng.nextGaussian())
    }

    public var description: String {
        "LogNormal(median: \(median), p99: \(p99))"
    }
}
