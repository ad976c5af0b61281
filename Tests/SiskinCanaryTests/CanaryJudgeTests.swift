import Foundation
import SiskinCanary
import SiskinTesting
import Testing

/// Scenarios whose answer is known, on synthetic traffic shaped like an
/// HTTP service behind Envoy: median 40 ms, p99 ≈ 160 ms, 0.5 % 5xx.
@Suite("canary judge scenarios")
struct CanaryJudgeTests {
    let service = SyntheticTraffic(medianMilliseconds: 40, sigma: 0.6, errorRate: 0.005)
    let judge = CanaryJudge()

    @Test("a canary 3× slower fails on latency: shifted distribution and p99")
    func threeTimesSlower() throws {
        let verdict = judge.judge(canary: service.slower(3).sample(requests: 5000, seed: 11),
                                  primary: service.sample(requests: 20_000, seed: 12))
        #expect(verdict.outcome == .fail)
        let latency = try #require(verdict.metric("latency"))
        #expect(latency.outcome == .fail)
        let rank = try #require(latency.statistics.rank)
        #expect(rank.significant && rank.probabilityOfSuperiority > 0.8)
        let quantiles = try #require(latency.statistics.quantiles)
        #expect(try #require(quantiles.p99Ratio) > 2)
        #expect(try #require(quantiles.tail).significant)
        #expect(latency.reason.contains("regression"))
        #expect(verdict.metric("errors")?.outcome == .pass)
        #expect(verdict.score == 50)  // one of two equally weighted metrics failed: below marginal 75
    }

    @Test("4 % against 0.5 % errors fails: the errors metric is critical, so the score is 0")
    func errorSpike() throws {
        var broken = service
        broken.errorRate = 0.04
        let verdict = judge.judge(canary: broken.sample(requests: 5000, seed: 21),
                                  primary: service.sample(requests: 20_000, seed: 22))
        #expect(verdict.outcome == .fail && verdict.score == 0)
        let errors = try #require(verdict.metric("errors"))
        #expect(errors.outcome == .fail && errors.critical)
        let test = try #require(errors.statistics.errorRate)
        #expect(test.significant && test.differencePoints > 3 && test.lowerPoints > 0.5)
        #expect(errors.reason.contains("beyond the allowed +0.5 points"))
        #expect(verdict.metric("latency")?.outcome == .pass)
        #expect(verdict.summary.hasPrefix("fail (score 0): critical errors failed"))
    }

    @Test("too little traffic is inconclusive, never pass, whatever the samples look like",
          arguments: [(10, 20_000), (499, 20_000), (20_000, 200), (0, 0)])
    func tooLittleTraffic(canaryRequests: Int, primaryRequests: Int) throws {
        let verdict = judge.judge(canary: service.sample(requests: canaryRequests, seed: 31),
                                  primary: service.sample(requests: primaryRequests, seed: 32))
        #expect(verdict.outcome == .inconclusive)
        #expect(verdict.metric("errors")?.outcome == .inconclusive)
        #expect(verdict.metric("latency")?.outcome == .inconclusive)
        #expect(verdict.metric("errors")?.reason.contains("too little traffic") == true)
        #expect(verdict.score == 0)
    }

    @Test("both sides at 10 % errors: the relative test passes, the SLO gate fails the verdict")
    func bothEquallyBad() throws {
        var bad = service
        bad.errorRate = 0.10
        let verdict = judge.judge(canary: bad.sample(requests: 5000, seed: 41),
                                  primary: bad.sample(requests: 20_000, seed: 42))
        #expect(verdict.metric("errors")?.outcome == .pass)
        #expect(verdict.metric("latency")?.outcome == .pass)
        let gate = try #require(verdict.metric("slo.errorRate"))
        #expect(gate.outcome == .fail && gate.kind == .gate && gate.critical)
        #expect(gate.statistics.gate?.limit == 5)
        #expect(verdict.outcome == .fail && verdict.score == 0)
        #expect(gate.reason.contains("above the 5.00 % limit"))
    }

    @Test("a canary faster than its primary passes")
    func faster() throws {
        let verdict = judge.judge(canary: service.slower(0.5).sample(requests: 5000, seed: 51),
                                  primary: service.sample(requests: 20_000, seed: 52))
        #expect(verdict.outcome == .pass && verdict.score == 100)
        let rank = try #require(verdict.metric("latency")?.statistics.rank)
        #expect(rank.probabilityOfSuperiority < 0.3 && !rank.significant)
    }

    @Test("…unless a decrease is configured as a regression too")
    func fasterWithEither() throws {
        var configuration = JudgeConfiguration()
        configuration.latency.direction = .either
        let verdict = CanaryJudge(configuration: configuration).judge(
            canary: service.slower(0.5).sample(requests: 5000, seed: 51),
            primary: service.sample(requests: 20_000, seed: 52))
        #expect(verdict.metric("latency")?.outcome == .fail)
        #expect(verdict.outcome == .fail)
    }

    @Test("a slow tail fails on the p99 gate although the bulk barely moves")
    func slowTail() throws {
        // 3 % of the canary's requests take 20× longer (a slow dependency
        // on one code path): P(canary slower) stays near ½.
        let normal = service.sample(requests: 19_400, seed: 61)
        let slow = service.slower(20).sample(requests: 600, seed: 62)
        let canary = TrafficSample(requests: 20_000, errors: normal.errors + slow.errors,
                                   latency: zip(normal.latency, slow.latency).map {
                                       LatencyBucket(upperBound: $0.upperBound, count: $0.count + $1.count)
                                   })
        let verdict = judge.judge(canary: canary, primary: service.sample(requests: 20_000, seed: 63))
        let latency = try #require(verdict.metric("latency"))
        #expect(latency.outcome == .fail)
        let rank = try #require(latency.statistics.rank)
        #expect(rank.probabilityOfSuperiority < 0.6)
        #expect(try #require(latency.statistics.quantiles?.tail).significant)
        #expect(latency.reason.contains("p99 shift exceeds the allowed ratio"))
    }

    @Test("millions of requests: a 2 % slowdown is significant but below the effect gates, so it passes")
    func hugeTrafficSmallShift() throws {
        // Expected bucket counts, no sampling: 5 million requests a side.
        func expected(_ median: Double, requests: Double) -> TrafficSample {
            var previous = 0.0
            var counts: [Double] = []
            for bound in envoyDurationBounds {
                let cdf = StandardNormal.cdf(Foundation.log(bound / median) / 0.6)
                counts.append((cdf - previous) * requests)
                previous = cdf
            }
            counts.append((1 - previous) * requests)
            return TrafficSample(requests: requests, errors: requests * 0.005, bounds: envoyDurationBounds, counts: counts)
        }
        let verdict = judge.judge(canary: expected(40.8, requests: 5e6), primary: expected(40, requests: 5e6))
        let rank = try #require(verdict.metric("latency")?.statistics.rank)
        #expect(rank.significant)
        #expect(rank.probabilityOfSuperiority < 0.52)
        #expect(verdict.outcome == .pass)
    }

    @Test("millions of requests: 0.50 % against 0.55 % errors is significant but within the allowed points")
    func hugeTrafficSmallErrorIncrease() throws {
        let canary = TrafficSample(requests: 1e7, errors: 55_000, latency: [])
        let primary = TrafficSample(requests: 1e7, errors: 50_000, latency: [])
        let errors = try #require(judge.judge(canary: canary, primary: primary).metric("errors"))
        #expect(errors.statistics.errorRate?.significant == true)
        #expect(errors.outcome == .pass)
        #expect(errors.reason.contains("but within the allowed"))
    }

    @Test("an overwhelming error rate fails the SLO gate before the traffic minimum")
    func earlyGateFailure() throws {
        let canary = TrafficSample(requests: 40, errors: 30, bounds: [10], counts: [40, 0])
        let verdict = judge.judge(canary: canary, primary: service.sample(requests: 20_000, seed: 71))
        #expect(verdict.metric("errors")?.outcome == .inconclusive)
        let gate = try #require(verdict.metric("slo.errorRate"))
        #expect(gate.outcome == .fail)
        #expect(try #require(gate.statistics.gate?.lowerBound) > 5)
        #expect(verdict.outcome == .fail)
        // A few errors among few requests is not enough to fail.
        let mild = TrafficSample(requests: 40, errors: 3, bounds: [10], counts: [40, 0])
        let undecided = judge.judge(canary: mild, primary: service.sample(requests: 20_000, seed: 71))
        #expect(undecided.metric("slo.errorRate")?.outcome == .inconclusive)
        #expect(undecided.outcome == .inconclusive)
    }

    @Test("the p99 SLO gate: pass, fail, and early failure on few but certainly slow requests")
    func p99Gate() throws {
        var configuration = JudgeConfiguration()
        configuration.slo.maxP99Milliseconds = 250
        let gated = CanaryJudge(configuration: configuration)
        let primary = service.sample(requests: 20_000, seed: 81)
        let fine = gated.judge(canary: service.sample(requests: 5000, seed: 82), primary: primary)
        #expect(fine.metric("slo.p99")?.outcome == .pass && fine.outcome == .pass)
        let slow = gated.judge(canary: service.slower(3).sample(requests: 5000, seed: 82), primary: primary)
        #expect(slow.metric("slo.p99")?.outcome == .fail)
        // 50 requests, 10 of them in the 500–1000 ms bucket: p99 > 250 ms for sure.
        let few = TrafficSample(requests: 50, errors: 0, bounds: [100, 250, 500, 1000], counts: [40, 0, 0, 10, 0])
        let early = gated.judge(canary: few, primary: primary)
        #expect(early.metric("slo.p99")?.outcome == .fail && early.outcome == .fail)
    }

    @Test("a marginal score is inconclusive, as Kayenta's marginal band")
    func marginalScore() throws {
        var configuration = JudgeConfiguration()
        configuration.latency.weight = 4  // latency failing alone leaves errors' 1/5: score 20
        configuration.errors.critical = false
        configuration.errors.weight = 4   // errors failing alone leaves 80: marginal
        var broken = service
        broken.errorRate = 0.04
        let verdict = CanaryJudge(configuration: configuration).judge(
            canary: broken.sample(requests: 5000, seed: 91), primary: service.sample(requests: 20_000, seed: 92))
        #expect(verdict.metric("errors")?.outcome == .fail)
        #expect(verdict.score == 50)
        configuration.latency.weight = 16
        let marginal = CanaryJudge(configuration: configuration).judge(
            canary: broken.sample(requests: 5000, seed: 91), primary: service.sample(requests: 20_000, seed: 92))
        #expect(marginal.score == 80)
        #expect(marginal.outcome == .inconclusive)
        #expect(marginal.summary.contains("marginal"))
    }

    @Test("as in Kayenta, a light non-critical metric can fail while the score still passes")
    func passDespiteLightFailure() throws {
        var configuration = JudgeConfiguration()
        configuration.errors.critical = false
        configuration.latency.weight = 19  // errors failing alone: score 95
        var broken = service
        broken.errorRate = 0.04
        let verdict = CanaryJudge(configuration: configuration).judge(
            canary: broken.sample(requests: 5000, seed: 91), primary: service.sample(requests: 20_000, seed: 92))
        #expect(verdict.metric("errors")?.outcome == .fail)
        #expect(verdict.score == 95 && verdict.outcome == .pass)
        #expect(verdict.summary.contains("although non-critical errors failed"))
    }

    @Test("sides without a finite bucket bound in common cannot be compared: inconclusive")
    func disjointBounds() {
        let canary = TrafficSample(requests: 1000, errors: 0, bounds: [10, 20], counts: [500, 500, 0])
        let primary = TrafficSample(requests: 1000, errors: 0, bounds: [15, 30], counts: [500, 500, 0])
        let verdict = judge.judge(canary: canary, primary: primary)
        #expect(verdict.metric("latency")?.outcome == .inconclusive)
        #expect(verdict.metric("latency")?.reason.contains("share no finite bucket bound") == true)
        #expect(verdict.outcome == .inconclusive)
    }

    @Test("different bucket layouts on the two sides are compared on their common bounds")
    func differentBounds() throws {
        let primary = service.sample(requests: 20_000, seed: 101)
        // The canary reports only every other bound (an older Envoy, say).
        let cumulative = primary.cumulativeBuckets.enumerated()
            .filter { $0.offset % 2 == 0 || $0.element.upperBound == .infinity }.map(\.element)
        let canary = TrafficSample(requests: primary.requests, errors: primary.errors, cumulativeBuckets: cumulative)
        let verdict = judge.judge(canary: canary, primary: primary)
        let rank = try #require(verdict.metric("latency")?.statistics.rank)
        #expect(rank.probabilityOfSuperiority == 0.5)
        #expect(verdict.outcome == .pass)
    }

    @Test("an invalid configuration is inconclusive with the problems listed")
    func invalidConfiguration() {
        var configuration = JudgeConfiguration()
        configuration.errors.alpha = 0
        configuration.latency.effectSize = 0.3
        configuration.scoreThresholds = ScoreThresholds(pass: 50, marginal: 80)
        #expect(configuration.problems.count == 3)
        let verdict = CanaryJudge(configuration: configuration).judge(
            canary: service.sample(requests: 1000, seed: 1), primary: service.sample(requests: 1000, seed: 2))
        #expect(verdict.outcome == .inconclusive && verdict.metrics.isEmpty)
        #expect(verdict.summary.contains("errors.alpha must be in (0, 0.5]"))
        #expect(JudgeConfiguration().problems.isEmpty)
    }

    @Test("garbage input never traps, never passes, and always encodes as JSON", arguments: [
        TrafficSample(requests: 0, errors: 0, latency: []),
        TrafficSample(requests: .nan, errors: .nan, latency: [LatencyBucket(upperBound: .nan, count: .nan)]),
        TrafficSample(requests: .infinity, errors: -1, latency: [LatencyBucket(upperBound: .infinity, count: 1e9)]),
        TrafficSample(requests: 1e6, errors: 0, latency: [LatencyBucket(upperBound: 5, count: 0)]),
        TrafficSample(requests: 1e6, errors: 2e6, bounds: [0, 1], counts: [1e6, 0, 0]),
    ])
    func garbage(canary: TrafficSample) throws {
        for primary in [canary, service.sample(requests: 2000, seed: 3)] {
            let verdict = judge.judge(canary: canary, primary: primary)
            #expect(verdict.score.isFinite)
            let data = try JSONEncoder().encode(verdict)
            #expect(try JSONDecoder().decode(Verdict.self, from: data) == verdict)
            #expect(!verdict.report().isEmpty)
            if canary.requests < 500 { #expect(verdict.outcome != .pass) }
        }
    }
}
