/// The standard normal distribution's CDF, needed to turn a log-normal into expected
/// per-bucket counts when a series receives too many requests to sample one by one.
enum NormalDistribution {
    /// Φ(z) = P(Z ≤ z) for a standard normal Z.
    static func cdf(_ z: Double) -> Double {
        0.5 * LibM.erfc(-z / 2.0.squareRoot())
    }
}
