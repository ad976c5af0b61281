/// SplitMix64 (Steele, Lea, Flood 2014): a tiny, fast generator whose main job here is
/// turning one user seed into many well-mixed, independent seeds.
///
/// The simulator derives a fresh stream for every (edge, pod pair, step) so that what one
/// sidecar sees never depends on which *other* pods are being simulated.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    /// The generator's whole state; every call adds the golden-ratio increment.
    public private(set) var state: UInt64

    /// Creates a generator; equal seeds give equal sequences on every platform.
    public init(seed: UInt64) {
        state = seed
    }

    /// Returns the next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return SplitMix64.mix(state)
    }

    /// The SplitMix64 finaliser: a bijective avalanche of 64 bits, used for hashing
    /// identifiers (edge index, pod index, step) into seeds.
    public static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Combines a seed with a list of identifiers into a new seed, so that streams for
    /// different identifiers are unrelated while staying reproducible.
    public static func derive(_ seed: UInt64, _ parts: UInt64...) -> UInt64 {
        var h = mix(seed ^ 0x5349_534B_494E_5349)  // "SISKINSI"
        for part in parts {
            h = mix(h &+ 0x9E37_79B9_7F4A_7C15 &+ mix(part))
        }
        return h
    }
}
