/// SplitMix64: a tiny deterministic generator so property-style tests are
/// reproducible from their seed.
public struct SeededRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension SeededRandom {
    /// Uniform in `0..<bound`.
    public mutating func below(_ bound: UInt64) -> UInt64 { next() % bound }

    /// True with probability `1 / n`.
    public mutating func oneIn(_ n: UInt64) -> Bool { next() % n == 0 }
}
