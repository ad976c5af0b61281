import Foundation
import SiskinCanary
import SiskinTesting
import Testing

/// The worked examples of docs/canary-judge.md, computed here. Each test
/// checks the numbers the text quotes and that the document shows the
/// judge's report verbatim, so the document cannot drift from the code.
@Suite("docs/canary-judge.md worked examples")
struct DocumentedExamplesTests {
    static let document: String = {
        // <root>/Tests/SiskinCanaryTests/<this file> -> <root>/docs/canary-judge.md
        var parts = "\(#filePath)".split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3)
        let path = parts.joined(separator: "/") + "/docs/canary-judge.md"
        return (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
    }()

    static let bounds: [Double] = [25, 50, 100, 250]

    /// The document shows `verdict.report()` verbatim (in a code block).
    func documented(_ verdict: Verdict, _ comment: Comment) {
        let shown = Self.document.contains(verdict.report())
        if !shown { print(verdict.report()) }
        #expect(shown, comment)
    }

    @Test("example 1: 4 % against 0.5 % errors")
    func errors() throws {
        let canary = TrafficSample(requests: 10_000, errors: 400, bounds: Self.bounds, counts: [2000, 4000, 3000, 900, 100])
        let primary = TrafficSample(requests: 40_000, errors: 200, bounds: Self.bounds,
                                    counts: [8000, 16000, 12000, 3600, 400])
        let verdict = CanaryJudge().judge(canary: canary, primary: primary)
        let e = try #require(verdict.metric("errors")?.statistics.errorRate)
        #expect(abs(e.z - 28.699063382540686) < 1e-9)  // SciPy: Yates χ² of the 2×2 table, square-rooted
        #expect(abs(e.lowerPoints - 3.1258604855287975) < 1e-9 && abs(e.upperPoints - 3.907214339013936) < 1e-9)
        #expect(e.pValue < 1e-180 && e.alpha == 0.025)
        #expect(verdict.outcome == .fail && verdict.score == 0)
        documented(verdict, "example 1's report")
    }

    @Test("example 2: a latency shift small enough to follow by hand")
    func latency() throws {
        let canary = TrafficSample(requests: 1000, errors: 2, bounds: Self.bounds, counts: [100, 300, 400, 190, 10])
        let primary = TrafficSample(requests: 1000, errors: 3, bounds: Self.bounds, counts: [200, 400, 300, 95, 5])
        let verdict = CanaryJudge().judge(canary: canary, primary: primary)
        let latency = try #require(verdict.metric("latency"))
        let rank = try #require(latency.statistics.rank)
        #expect(rank.u == 620_000 && rank.probabilityOfSuperiority == 0.62)
        let test = try #require(RankSumTest.compare(canary: canary.latency.map(\.count),
                                                    primary: primary.latency.map(\.count), direction: .increase))
        #expect(abs(test.standardDeviation - 12_304.70882140613) < 1e-6)
        #expect(abs(rank.z - 9.752323418758232) < 1e-9)
        #expect(abs(rank.pValue - 9.014691752987021e-23) < 1e-30)  // SciPy's mannwhitneyu on the expanded data
        let quantiles = try #require(latency.statistics.quantiles)
        #expect(verdict.canary.p50Milliseconds == 62.5 && verdict.primary.p50Milliseconds == 43.75)
        #expect(quantiles.tailThresholdMilliseconds == 100)
        #expect(abs(try #require(quantiles.tail).z - 6.19962048174298) < 1e-9)
        #expect(latency.outcome == .fail && verdict.outcome == .fail && verdict.score == 50)
        documented(verdict, "example 2's report")
    }

    @Test("example 3: both sides at 10 % errors")
    func bothBad() throws {
        let canary = TrafficSample(requests: 5000, errors: 500, bounds: Self.bounds, counts: [1000, 2000, 1500, 450, 50])
        let primary = TrafficSample(requests: 20_000, errors: 2000, bounds: Self.bounds,
                                    counts: [4000, 8000, 6000, 1800, 200])
        let verdict = CanaryJudge().judge(canary: canary, primary: primary)
        #expect(verdict.metric("errors")?.outcome == .pass && verdict.metric("latency")?.outcome == .pass)
        #expect(verdict.metric("slo.errorRate")?.outcome == .fail)
        #expect(verdict.outcome == .fail && verdict.score == 0)
        documented(verdict, "example 3's report")
    }

    @Test("example 4: five million requests a side, canary 2 % slower")
    func huge() throws {
        let verdict = CanaryJudge().judge(canary: Self.expected(median: 40.8, requests: 5e6),
                                          primary: Self.expected(median: 40, requests: 5e6))
        let rank = try #require(verdict.metric("latency")?.statistics.rank)
        #expect(rank.significant && rank.z > 48 && rank.z < 49)
        #expect(abs(rank.probabilityOfSuperiority - 0.5083) < 5e-5)
        #expect(verdict.outcome == .pass)
        documented(verdict, "example 4's report")
    }

    @Test("the table of probability of superiority against slowdown")
    func superiorityTable() throws {
        var rows = ["| slowdown | σ = 0.4 | σ = 0.6 | σ = 1.0 | p99 ratio at σ = 0.6 |", "|---|---|---|---|---|"]
        for factor in [1.1, 1.2, 1.3, 1.5, 2.0, 3.0] {
            var cells: [String] = []
            var p99Ratio = 0.0
            for sigma in [0.4, 0.6, 1.0] {
                let primary = Self.expected(median: 40, requests: 1e6, sigma: sigma)
                let canary = Self.expected(median: 40 * factor, requests: 1e6, sigma: sigma)
                let rank = try #require(RankSumTest.compare(canary: canary.latency.map(\.count),
                                                            primary: primary.latency.map(\.count), direction: .increase))
                // Without buckets it would be Φ(ln(factor) / (σ·√2)).
                let continuous = StandardNormal.cdf(Foundation.log(factor) / (sigma * 2.0.squareRoot()))
                cells.append(String(format: "%.3f (%.3f)", rank.probabilityOfSuperiority, continuous))
                if sigma == 0.6 {
                    p99Ratio = try #require(canary.latencyQuantile(0.99)) / (try #require(primary.latencyQuantile(0.99)))
                }
            }
            rows.append("| ×\(factor) | " + cells.joined(separator: " | ") + String(format: " | ×%.2f |", p99Ratio))
        }
        let table = rows.joined(separator: "\n")
        let shown = Self.document.contains(table)
        if !shown { print(table) }
        #expect(shown, "the document's table")
    }

    /// Expected (not sampled) Envoy bucket counts of a log-normal: what a
    /// very large sample converges to.
    static func expected(median: Double, requests: Double, sigma: Double = 0.6) -> TrafficSample {
        var previous = 0.0
        var counts: [Double] = []
        for bound in envoyDurationBounds {
            let cdf = StandardNormal.cdf(Foundation.log(bound / median) / sigma)
            counts.append((cdf - previous) * requests)
            previous = cdf
        }
        counts.append((1 - previous) * requests)
        return TrafficSample(requests: requests, errors: requests * 0.005, bounds: envoyDurationBounds, counts: counts)
    }
}
