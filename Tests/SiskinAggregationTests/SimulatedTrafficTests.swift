import SiskinAggregation
import SiskinSimulator
import SiskinTesting
import Testing

/// Sums over output series whose labels match `predicate`.
struct OutputTotals {
    var requests: UInt64 = 0
    var durationBuckets: [UInt64] = Array(repeating: 0, count: EnvoyHistogramBuckets.bucketCount)
    var durationCount: UInt64 = 0
    var durationSum: Double = 0

    init(_ summary: PodSummary, matching predicate: [String: String] = [:]) {
        for family in summary.families {
            for series in family.series where predicate.allSatisfy({ key, value in series.labels.contains(Label(key, value)) }) {
                switch (family.name, series.value) {
                case ("istio_requests_total", .counter(let v)):
                    requests += v.integerValue!
                case ("istio_request_duration_milliseconds", .histogram(let h)):
                    #expect(h.bounds == EnvoyHistogramBuckets.bounds)
                    for (i, c) in h.bucketCounts.enumerated() { durationBuckets[i] += c.integerValue! }
                    durationCount += h.count.integerValue!
                    durationSum += h.sum
                default:
                    break
                }
            }
        }
    }
}

@Suite("Aggregation against a simulated sidecar's ground truth")
struct SimulatedTrafficTests {
    /// Scrapes every 15 s; Envoy restarts right after the scrapes listed, so no
    /// traffic falls between a last scrape and a restart (none is lost to any
    /// scraper) and the increases must be exact.
    @Test("increases are exact across Envoy restarts, per response code and reporter",
          arguments: [("default", [3, 6]), ("lean", [2]), ("default", [])])
    func exactAcrossRestarts(rulesName: String, restartAfter: [Int]) throws {
        let rules = try #require(AggregationRules.preset(named: rulesName))
        var fleet = Fleet(preset: .medium, seed: 11)
        var aggregator = PodAggregator(pod: fleet.focus.pod.name, namespace: "test", rules: rules)

        try aggregator.ingest(fleet.focus.render())
        let firstSummary = aggregator.summary(agentInstance: "t", sequence: 0, timestampMilliseconds: 0)
        let firstTruth = fleet.focus
        var restarts = 0
        for scrape in 1...8 {
            fleet.advance(by: 15)
            let report = try aggregator.ingest(fleet.focus.render())
            #expect(report.errorCount == 0)
            restarts += report.envoyRestarts
            if restartAfter.contains(scrape) { fleet.restartFocus() }
        }
        let lastSummary = aggregator.summary(agentInstance: "t", sequence: 8, timestampMilliseconds: 0)
        let lastTruth = fleet.focus
        #expect(restarts == restartAfter.count, "one detected Envoy restart per restart")

        var predicates: [[String: String]] = [[:]]
        for code in ["200", "404", "500", "503"] { predicates.append(["response_code": code]) }
        predicates.append(["reporter": "destination"])
        for predicate in predicates {
            let before = OutputTotals(firstSummary, matching: predicate)
            let after = OutputTotals(lastSummary, matching: predicate)
            let truth = lastTruth.requests(matching: predicate) - firstTruth.requests(matching: predicate)
            #expect(after.requests - before.requests == truth, "requests \(predicate)")

            let truthBefore = firstTruth.histogram(.requestDuration, matching: predicate)
            let truthAfter = lastTruth.histogram(.requestDuration, matching: predicate)
            let truthBuckets = zip(truthAfter.cumulativeBucketCounts, truthBefore.cumulativeBucketCounts).map { $0 - $1 }
            #expect(zip(after.durationBuckets, before.durationBuckets).map { $0 - $1 } == truthBuckets, "buckets \(predicate)")
            #expect(after.durationCount - before.durationCount == truthAfter.count - truthBefore.count, "count \(predicate)")
            let truthSum = truthAfter.sum - truthBefore.sum
            #expect(abs((after.durationSum - before.durationSum) - truthSum) <= 1e-6 * max(1, truthSum), "sum \(predicate)")
        }
        #expect(lastTruth.requests() > firstTruth.requests())
    }

    @Test("steady-state scrapes of a realistic sidecar take the fast path")
    func fastPath() throws {
        var fleet = Fleet(preset: .medium, seed: 3)
        var aggregator = PodAggregator(pod: "p", namespace: "n")
        let cold = try aggregator.ingest(fleet.focus.render())
        fleet.advance(by: 15)
        let warm = try aggregator.ingest(fleet.focus.render())
        #expect(cold.newSeries > 1000)
        // Traffic may create a handful of new label combinations; nothing else is new.
        #expect(warm.newSeries < 50)
        #expect(warm.errorCount == 0)
    }
}
