import Foundation
import SiskinCanary
import Testing

@Suite("verdict JSON, configuration JSON and the text report")
struct VerdictCodingTests {
    let service = SyntheticTraffic(medianMilliseconds: 40, sigma: 0.6, errorRate: 0.005)

    @Test("a verdict round-trips through JSON with stable key names")
    func verdictJSON() throws {
        var configuration = JudgeConfiguration()
        configuration.slo.maxP99Milliseconds = 300
        let verdict = CanaryJudge(configuration: configuration).judge(
            canary: service.slower(3).sample(requests: 3000, seed: 1), primary: service.sample(requests: 9000, seed: 2))
        let data = try JSONEncoder().encode(verdict)
        #expect(try JSONDecoder().decode(Verdict.self, from: data) == verdict)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(object["outcome"] as? String == "fail")
        #expect(object["judge"] as? String == "siskin-canary-judge-v1")
        let metrics = try #require(object["metrics"] as? [[String: Any]])
        #expect(metrics.map { $0["name"] as? String } == ["errors", "latency", "slo.errorRate", "slo.p99"])
        let latency = try #require(metrics[1]["statistics"] as? [String: Any])
        let rank = try #require(latency["rank"] as? [String: Any])
        #expect(rank["probabilityOfSuperiority"] is Double && rank["pValue"] is Double)
        #expect(latency["quantiles"] is [String: Any])
        #expect((object["canary"] as? [String: Any])?["p99Milliseconds"] is Double)
    }

    @Test("a partial configuration decodes over the defaults; null turns a gate off")
    func configurationJSON() throws {
        let json = #"""
        {"errors": {"allowedIncrease": 1, "critical": false},
         "latency": {"direction": "either", "effectSize": null, "minimumRequests": 100},
         "slo": {"maxErrorPercent": null, "maxP99Milliseconds": 400},
         "multipleTesting": "none"}
        """#
        let configuration = try JSONDecoder().decode(JudgeConfiguration.self, from: Data(json.utf8))
        #expect(configuration.errors.allowedIncrease == 1 && !configuration.errors.critical)
        #expect(configuration.errors.alpha == 0.05 && configuration.errors.minimumRequests == 500)
        #expect(configuration.latency.direction == .either && configuration.latency.effectSize == nil)
        #expect(configuration.latency.minimumRequests == 100 && configuration.latency.allowedIncrease == 0.2)
        #expect(configuration.slo.maxErrorPercent == nil && configuration.slo.maxP99Milliseconds == 400)
        #expect(configuration.scoreThresholds == ScoreThresholds())
        #expect(configuration.multipleTesting == .none)
        #expect(try JSONDecoder().decode(JudgeConfiguration.self, from: Data("{}".utf8)) == JudgeConfiguration())
        // And back: encoding then decoding is the identity.
        let again = try JSONDecoder().decode(JudgeConfiguration.self, from: JSONEncoder().encode(configuration))
        #expect(again == configuration)
        // A standalone policy needs its allowedIncrease.
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(MetricPolicy.self, from: Data(#"{"alpha": 0.01}"#.utf8))
        }
        let policy = try JSONDecoder().decode(MetricPolicy.self, from: Data(#"{"allowedIncrease": 0.3}"#.utf8))
        #expect(policy.allowedDecrease == 0.3 && policy.effectSize == nil && policy.direction == .increase)
    }

    @Test("the defaults are the documented ones")
    func defaults() {
        let c = JudgeConfiguration()
        #expect(c.errors == MetricPolicy(direction: .increase, allowedIncrease: 0.5, allowedDecrease: 0.5, critical: true,
                                         minimumRequests: 500, alpha: 0.05, effectSize: nil, weight: 1))
        #expect(c.latency == MetricPolicy(direction: .increase, allowedIncrease: 0.2, allowedDecrease: 0.2, critical: false,
                                          minimumRequests: 500, alpha: 0.05, effectSize: 0.6, weight: 1))
        #expect(c.slo.maxErrorPercent == 5 && c.slo.maxP99Milliseconds == nil)
        #expect(c.scoreThresholds.pass == 95 && c.scoreThresholds.marginal == 75)
        #expect(c.multipleTesting == .bonferroni)
    }

    @Test("the text report shows the outcome, both sides and every metric's reason")
    func report() {
        let verdict = CanaryJudge().judge(canary: service.slower(3).sample(requests: 3000, seed: 1),
                                          primary: service.sample(requests: 9000, seed: 2))
        let text = verdict.report()
        #expect(text.hasPrefix("Canary verdict: FAIL  score 50/100  (siskin-canary-judge-v1)\n"))
        #expect(text.contains("  canary   3000"))
        #expect(text.contains("  primary  9000"))
        #expect(text.contains("\nerrors: PASS (critical)\n"))
        #expect(text.contains("\nlatency: FAIL\n"))
        #expect(text.contains("\nslo.errorRate: PASS (SLO gate)\n"))
        for metric in verdict.metrics { #expect(text.contains(metric.reason)) }
        #expect(text.contains("Mann–Whitney U = "))
    }
}
