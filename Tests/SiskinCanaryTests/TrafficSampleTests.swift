import Foundation
import SiskinCanary
import SiskinQuery
import SiskinTesting
import Testing

@Suite("traffic samples")
struct TrafficSampleTests {
    @Test("cumulative buckets become per-bucket counts, +Inf last")
    func fromCumulative() {
        let sample = TrafficSample(requests: 100, errors: 2, cumulativeBuckets: [
            (upperBound: 10, count: 20), (upperBound: .infinity, count: 100), (upperBound: 5, count: 5),
        ])
        #expect(sample.latency == [
            LatencyBucket(upperBound: 5, count: 5), LatencyBucket(upperBound: 10, count: 15),
            LatencyBucket(upperBound: .infinity, count: 80),
        ])
        #expect(sample.observations == 100)
        #expect(sample.errorRate == 0.02)
    }

    @Test("a cumulative count that goes down is raised, as Prometheus does, not made negative")
    func nonMonotonic() {
        let sample = TrafficSample(requests: 10, errors: 0, cumulativeBuckets: [
            (upperBound: 1, count: 10), (upperBound: 2, count: 9.999999), (upperBound: .infinity, count: 12),
        ])
        #expect(sample.latency.map(\.count) == [10, 0, 2])
    }

    @Test("quantiles are histogram_quantile's, on the same buckets")
    func quantiles() {
        var durations = Durations()
        for ms in [0.3, 2, 7, 7, 30, 30, 30, 80, 200, 700, 4000] { durations.observe(ms) }
        let bounds = envoyDurationBounds + [.infinity]
        let cumulative = zip(bounds, durations.cumulative).map { (upperBound: $0, count: Double($1)) }
        let sample = TrafficSample(requests: 11, errors: 0, cumulativeBuckets: cumulative)
        for q in [0.5, 0.9, 0.99] {
            #expect(sample.latencyQuantile(q) == HistogramQuantile.quantile(q, buckets: cumulative))
        }
        // The per-bucket constructor agrees with the cumulative one.
        let perBucket = TrafficSample(requests: 11, errors: 0, bounds: envoyDurationBounds,
                                      counts: durations.perBucket.map { Double($0) })
        #expect(perBucket == sample)
    }

    @Test("garbage is sanitized: NaN, negative, infinite counts; NaN bounds; errors above requests")
    func sanitized() {
        let sample = TrafficSample(requests: 10, errors: 50, latency: [
            LatencyBucket(upperBound: .nan, count: 4), LatencyBucket(upperBound: 5, count: .nan),
            LatencyBucket(upperBound: 1, count: -3), LatencyBucket(upperBound: 5, count: 2),
            LatencyBucket(upperBound: -.infinity, count: 1), LatencyBucket(upperBound: 9, count: .infinity),
        ])
        #expect(sample.errors == 10)
        #expect(sample.latency == [
            LatencyBucket(upperBound: 1, count: 0), LatencyBucket(upperBound: 5, count: 2),
            LatencyBucket(upperBound: 9, count: 0), LatencyBucket(upperBound: .infinity, count: 0),
        ])
        let nothing = TrafficSample(requests: .nan, errors: -1, latency: [])
        #expect(nothing.requests == 0 && nothing.errors == 0 && nothing.errorRate == nil)
        #expect(nothing.latencyQuantile(0.99) == nil && nothing.observations == 0)
        let onlyInf = TrafficSample(requests: 3, errors: 0, latency: [LatencyBucket(upperBound: .infinity, count: 3)])
        #expect(onlyInf.latencyQuantile(0.5) == nil)
    }

    @Test("per-bucket counts: missing ones are 0, extra ones land in +Inf")
    func perBucketLengths() {
        let short = TrafficSample(requests: 1, errors: 0, bounds: [1, 2, 3], counts: [1])
        #expect(short.latency.map(\.count) == [1, 0, 0, 0])
        let long = TrafficSample(requests: 1, errors: 0, bounds: [1], counts: [1, 2, 3])
        #expect(long.latency.map(\.count) == [1, 5])
    }

    @Test("JSON writes the +Inf bound as \"+Inf\" and reads it back")
    func coding() throws {
        let sample = TrafficSample(requests: 12.5, errors: 1, bounds: [5, 10], counts: [3, 4, 5.5])
        let data = try JSONEncoder().encode(sample)
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains("\"+Inf\""))
        #expect(try JSONDecoder().decode(TrafficSample.self, from: data) == sample)
        let partial = #"{"requests": 5, "errors": 9}"#
        let decoded = try JSONDecoder().decode(TrafficSample.self, from: Data(partial.utf8))
        #expect(decoded.errors == 5 && decoded.latency.isEmpty)
        let bad = #"{"requests": 5, "errors": 0, "latency": [{"le": "soon", "count": 1}]}"#
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(TrafficSample.self, from: Data(bad.utf8)) }
    }
}
