/// Sampling helpers on the simulator's PRNG. They are methods on the concrete generator
/// (not generic) so that the hot traffic loop stays monomorphic and fast.
extension Xoshiro256StarStar {
    /// Uniform double in [0, 1) with 53 random bits.
    public mutating func nextUnit() -> Double {
        Double(next() >> 11) * 0x1p-53
    }

    /// Uniform double in (0, 1], safe to pass to `log`.
    mutating func nextOpenUnit() -> Double {
        (Double(next() >> 11) + 1) * 0x1p-53
    }

    /// Standard normal variate (Box–Muller; the second value is discarded so the
    /// generator's state stays a plain value with no cached half-pair).
    public mutating func nextGaussian() -> Double {
        let u1 = nextOpenUnit()
        let u2 = nextUnit()
        return (-2 * LibM.log(u1)).squareRoot() * LibM.cos(2 * Double.pi * u2)
    }

    /// A Poisson-distributed count with the given mean: exact (Knuth) for small means,
    /// normal approximation above 30, where the difference is invisible in a scrape.
    /// Request arrivals are Poisson, so this turns "rps × seconds" into an integer count.
    public mutating func nextPoisson(mean: Double) -> UInt64 {
        guard mean > 0, mean.isFinite else { return 0 }
        if mean < 30 {
            let limit = LibM.exp(-mean)
            var k: UInt64 = 0
            var p = nextUnit()
            while p > limit {
                k += 1
                p *= nextUnit()
            }
            return k
        }
        let value = (mean + mean.squareRoot() * nextGaussian()).rounded()
        return value <= 0 ? 0 : UInt64(value)
    }

    /// Rounds `value` up with probability equal to its fractional part, so the expected
    /// result equals `value` exactly (no drift when called every interval).
    public mutating func roundStochastically(_ value: Double) -> UInt64 {
        guard value > 0, value.isFinite else { return 0 }
        let floor = value.rounded(.down)
        let up = nextUnit() < (value - floor) ? 1.0 : 0.0
        return UInt64(floor + up)
    }

    /// Splits `total` into integer parts proportional to `weights`, overwriting `counts`.
    ///
    /// Each part gets the floor of its expected share; the few units left over go to parts
    /// chosen by systematic sampling on the fractional remainders. The parts always add up to
    /// `total` exactly and each part's expectation is exactly `total × weight / Σweights`,
    /// which is what keeps histogram counts, `_count` and `istio_requests_total` consistent.
    public mutating func apportion(_ total: UInt64, weights: [Double], into counts: inout [UInt64]) {
        let n = weights.count
        if counts.count != n {
            counts = [UInt64](repeating: 0, count: n)
        }
        guard n > 0 else { return }
        var weightSum = 0.0
        var heaviest = 0
        for i in 0..<n {
            counts[i] = 0
            let w = weights[i] > 0 ? weights[i] : 0
            weightSum += w
            if w > weights[heaviest] { heaviest = i }
        }
        guard total > 0, weightSum > 0 else {
            if total > 0 { counts[heaviest] = total }
            return
        }
        let scale = Double(total) / weightSum
        var assigned: UInt64 = 0
        for i in 0..<n where weights[i] > 0 {
            let whole = UInt64((weights[i] * scale).rounded(.down))
            counts[i] = whole
            assigned += whole
        }
        guard assigned < total else {
            // Floating-point rounding can only overshoot by a unit or two; take it back
            // from the heaviest part, which is always large enough.
            counts[heaviest] -= assigned - total
            return
        }
        let remainder = total - assigned
        var picked: UInt64 = 0
        var threshold = nextUnit()
        var cumulative = 0.0
        for i in 0..<n where weights[i] > 0 {
            let expected = weights[i] * scale
            cumulative += expected - expected.rounded(.down)
            while picked < remainder && cumulative > threshold {
                counts[i] += 1
                picked += 1
                threshold += 1
            }
        }
        if picked < remainder {
            counts[heaviest] += remainder - picked
        }
    }
}
