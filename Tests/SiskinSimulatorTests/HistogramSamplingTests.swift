import SiskinSimulator
import Testing

@Suite("Histogram sampling: small and large batches stay consistent")
struct HistogramSamplingTests {
    /// Records `count` requests in one advance and returns the destination's histogram.
    func histogram(requestsPerSecond: Double, seconds: Double) -> (HistogramCounts, UInt64) {
        let topology = MeshTopology.fixtureScale(podinfoPods: 1, requestsPerSecond: requestsPerSecond)
        var fleet = Fleet(topology: topology, seed: 77, simulating: .workloads(["podinfo"]))
        fleet.advance(by: seconds)
        return (fleet.focus.histogram(.requestDuration), fleet.focus.requests())
    }

    @Test("every bucket's sum is compatible with the bucket's bounds", arguments: [(0.5, 30.0), (2_000, 60.0)])
    func sumsWithinBucketBounds(rate: Double, seconds: Double) {
        let (duration, requests) = histogram(requestsPerSecond: rate, seconds: seconds)
        #expect(duration.count == requests)
        #expect(duration.bucketCounts.reduce(0, +) == duration.count)
        var lower = 0.0
        var upper = 0.0
        for (index, count) in duration.bucketCounts.enumerated() where count > 0 {
            let bounds = [0] + EnvoyHistogramBuckets.bounds + [Double.infinity]
            lower += Double(count) * bounds[index]
            upper += Double(count) * bounds[index + 1]
        }
        #expect(duration.sum >= lower)
        #expect(duration.sum <= upper)
    }

    @Test("large batches follow the log-normal bucket probabilities")
    func bulkMatchesDistribution() {
        let (duration, _) = histogram(requestsPerSecond: 5_000, seconds: 100)
        let distribution = LogNormalDistribution.latency(medianMs: 16, p99Ms: 140)
        let cumulative = duration.cumulativeBucketCounts
        for (index, bound) in EnvoyHistogramBuckets.bounds.enumerated() {
            let expected = distribution.cdf(bound)
            let observed = Double(cumulative[index]) / Double(duration.count)
            #expect(abs(observed - expected) < 0.005, "le=\(bound)")
        }
    }

    @Test("byte histograms hold whole bytes")
    func wholeBytes() {
        var fleet = Fleet(preset: .medium, seed: 5)
        fleet.advance(by: 1)
        for metric in [IstioHistogram.requestBytes, .responseBytes] {
            let histogram = fleet.focus.histogram(metric)
            #expect(histogram.sumHundredths % 100 == 0)
            #expect(histogram.bucketCounts[0] == 0, "no whole number of bytes is <= 0.5")
        }
    }
}
