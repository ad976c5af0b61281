import SiskinCanary
import Testing

/// Identical canary and primary, many seeds: how often does the judge fail
/// a canary that changed nothing?
///
/// Each run draws both sides afresh from the same distribution, so the
/// number of false fails over `runs` runs is Binomial(runs, rate). At the
/// nominal 5 % over 200 runs that is 10 ± 3.1; the bound 2·α + 2 % (24 of
/// 200) sits 4.5 standard deviations above the mean, so a correct judge
/// cannot trip it by bad luck, while a judge whose tests were twice too
/// liberal would. The seeds are fixed, so the counts are too.
@Suite("false-positive rate over many seeds")
struct FalsePositiveRateTests {
    static let runs = 200
    let service = SyntheticTraffic(medianMilliseconds: 40, sigma: 0.6, errorRate: 0.02)

    func slack(_ alpha: Double) -> Int { Int(((2 * alpha + 0.02) * Double(Self.runs)).rounded(.down)) }

    /// Draws `runs` identical-distribution pairs: canary 2 000 requests,
    /// primary 8 000 (a 20 % canary).
    func pairs() -> [(canary: TrafficSample, primary: TrafficSample)] {
        (0..<Self.runs).map { run in
            let seed = seeds(run)
            return (service.sample(requests: 2000, seed: seed.canary), service.sample(requests: 8000, seed: seed.primary))
        }
    }

    @Test("with the default gates, identical distributions pass (false fails well under α)")
    func defaults() {
        let judge = CanaryJudge()
        var outcomes: [Outcome: Int] = [:]
        var failedMetrics: [String: Int] = [:]
        for pair in pairs() {
            let verdict = judge.judge(canary: pair.canary, primary: pair.primary)
            outcomes[verdict.outcome, default: 0] += 1
            for metric in verdict.metrics where metric.outcome == .fail { failedMetrics[metric.name, default: 0] += 1 }
        }
        print("defaults, identical distributions, \(Self.runs) runs: \(outcomes[.fail] ?? 0) fail, "
            + "\(outcomes[.pass] ?? 0) pass, \(outcomes[.inconclusive] ?? 0) inconclusive; failing metrics: "
            + "\(failedMetrics.sorted { $0.key < $1.key })")
        #expect((outcomes[.fail] ?? 0) <= slack(0.05))
        // Enough traffic: everything that did not fail is decided, and passes.
        #expect((outcomes[.inconclusive] ?? 0) == 0)
        #expect((outcomes[.pass] ?? 0) >= Self.runs - slack(0.05))
    }

    @Test("with every effect gate off, the family-wise false-fail rate is still ≤ 2·α + ε")
    func significanceOnly() {
        // Fail on any significant change: this measures the tests' own
        // calibration and the Bonferroni split (errors at α/2, latency's
        // rank and tail tests at α/4 each).
        let off = MetricPolicy(allowedIncrease: 0, effectSize: nil)
        let judge = CanaryJudge(configuration: JudgeConfiguration(
            errors: off, latency: off, slo: SLOGates(maxErrorPercent: nil)))
        var fails = 0
        for pair in pairs() where judge.judge(canary: pair.canary, primary: pair.primary).outcome == .fail { fails += 1 }
        print("effect gates off, identical distributions, \(Self.runs) runs: \(fails) fail")
        #expect(fails <= slack(0.05))
    }

    @Test("each test alone rejects identical samples at about its α, not far more, not never")
    func calibration() throws {
        var rank = 0, proportion = 0, tail = 0
        let alpha = 0.05
        for pair in pairs() {
            let r = try #require(RankSumTest.compare(canary: pair.canary.latency.map(\.count),
                                                     primary: pair.primary.latency.map(\.count), direction: .increase))
            if r.pValue <= alpha { rank += 1 }
            let e = try #require(TwoProportionTest.compare(canary: (pair.canary.errors, pair.canary.requests),
                                                           primary: (pair.primary.errors, pair.primary.requests),
                                                           direction: .increase))
            if e.pValue <= alpha { proportion += 1 }
            // The share slower than 100 ms (≈ 6.5 %), as the tail test sees it.
            let slowC = pair.canary.latency.filter { $0.upperBound > 100 }.reduce(0) { $0 + $1.count }
            let slowP = pair.primary.latency.filter { $0.upperBound > 100 }.reduce(0) { $0 + $1.count }
            let t = try #require(TwoProportionTest.compare(canary: (slowC, pair.canary.observations),
                                                           primary: (slowP, pair.primary.observations),
                                                           direction: .increase))
            if t.pValue <= alpha { tail += 1 }
        }
        print("rejections at α = 0.05 over \(Self.runs) runs: rank \(rank), 5xx \(proportion), tail \(tail)")
        for rejections in [rank, proportion, tail] {
            #expect(rejections <= slack(alpha))
            #expect(rejections >= 2)  // P(≤ 1 | rate 5 %) ≈ 5e-4 at 200 runs: a dead test would show here
        }
    }
}
