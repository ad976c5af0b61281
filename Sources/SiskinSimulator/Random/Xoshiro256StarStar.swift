/// xoshiro256** (Blackman & Vigna 2018): the simulator's workhorse PRNG.
///
/// Swift's `SystemRandomNumberGenerator` is not seedable, and the simulator's promise is
/// that the same seed yields byte-identical scrapes, so every random decision draws from
/// one of these, seeded through `SplitMix64` as the authors recommend.
public struct Xoshiro256StarStar: RandomNumberGenerator, Sendable {
    var s0: UInt64
    var s1: UInt64
    var s2: UInt64
    var s3: UInt64

    /// Seeds the four state words from SplitMix64 so even seeds like 0 or 1 start well mixed.
    public init(seed: UInt64) {
        var seeder = SplitMix64(seed: seed)
        s0 = seeder.next()
        s1 = seeder.next()
        s2 = seeder.next()
        s3 = seeder.next()
    }

    /// Returns the next 64 random bits.
    public mutating func next() -> UInt64 {
        let result = Self.rotl(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = Self.rotl(s3, 45)
        return result
    }

    static func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 {
        (x << k) | (x >> (64 - k))
    }
}
