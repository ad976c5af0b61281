import SiskinSimulator
import Testing

@Suite("Randomness: seeded, reproducible, unbiased where it matters")
struct RandomTests {
    @Test("SplitMix64 matches the reference implementation")
    func splitMixReference() {
        var rng = SplitMix64(seed: 0)
        #expect(rng.next() == 0xE220_A839_7B1D_CDAF)
        #expect(rng.next() == 0x6E78_9E6A_A1B9_65F4)
    }

    @Test("xoshiro256** is reproducible from its seed")
    func xoshiroReproducible() {
        var a = Xoshiro256StarStar(seed: 42)
        var b = Xoshiro256StarStar(seed: 42)
        var c = Xoshiro256StarStar(seed: 43)
        let first = (0..<8).map { _ in a.next() }
        #expect(first == (0..<8).map { _ in b.next() })
        #expect(first != (0..<8).map { _ in c.next() })
        #expect(Set(first).count == 8)
    }

    @Test("apportion always hands out exactly the total, proportionally")
    func apportionIsExact() {
        var rng = Xoshiro256StarStar(seed: 1)
        var counts: [UInt64] = []
        let weights = [0.5, 0.0, 0.3333, 0.1, 0.0667, 1e-9]
        var sums = [UInt64](repeating: 0, count: weights.count)
        for total in [0, 1, 2, 7, 100, 12_345, 1_000_000] as [UInt64] {
            for _ in 0..<200 {
                rng.apportion(total, weights: weights, into: &counts)
                #expect(counts.reduce(0, +) == total)
                #expect(counts[1] == 0)
                if total == 7 {
                    for index in counts.indices { sums[index] += counts[index] }
                }
            }
        }
        // Over 200 draws of 7, each share's mean is close to 7 × weight.
        let weightSum = weights.reduce(0, +)
        for index in weights.indices {
            let mean = Double(sums[index]) / 200
            #expect(abs(mean - 7 * weights[index] / weightSum) < 0.15)
        }
    }

    @Test("Poisson counts have the requested mean", arguments: [0.3, 4.0, 250.0])
    func poissonMean(mean: Double) {
        var rng = Xoshiro256StarStar(seed: 2)
        let draws = 20_000
        var total: UInt64 = 0
        for _ in 0..<draws { total += rng.nextPoisson(mean: mean) }
        let observed = Double(total) / Double(draws)
        #expect(abs(observed - mean) < 0.05 * mean + 0.02)
    }

    @Test("log-normal distributions are described by median and p99, and scale")
    func logNormal() {
        let latency = LogNormalDistribution.latency(medianMs: 20, p99Ms: 400)
        #expect(abs(latency.median - 20) < 1e-9)
        #expect(abs(latency.p99 - 400) < 1e-6)
        #expect(abs(latency.cdf(20) - 0.5) < 1e-9)
        #expect(abs(latency.cdf(400) - 0.99) < 1e-6)
        let slower = latency.scaled(by: 2)
        #expect(abs(slower.median - 40) < 1e-9)
        #expect(abs(slower.p99 - 800) < 1e-6)
        #expect(abs(slower.mean - 2 * latency.mean) < 1e-9)
    }
}
