import SiskinCanary
import SiskinQuery

/// One Flagger analysis against `siskin serve`: the builtin
/// `request-success-rate` and `request-duration` checks on the canary over the
/// last interval (through the Prometheus API), Siskin's judge through its
/// Flagger webhook, and, for the live view only, the same figures for the
/// primary.
struct Analysis {
    let client: FlaggerClient
    let plan: RolloutPlan
    let namespace: String
    let canary: String
    let primary: String
    /// Flagger's `checksum` of the canary revision: the same for the whole rollout.
    let checksum: String

    /// `[interval]` as PromQL writes it.
    var interval: String { DurationText.text(seconds: plan.intervalSeconds) }

    /// `judgeTime`: the end of the judge's window (Unix seconds), the
    /// interval that just ended rather than "now" (`RolloutDriver` says why).
    func run(elapsedSeconds: Double, weight: Int, judgeTime: Double) -> AnalysisReport {
        var checks: [CheckResult] = []

        // Flagger runs the rollout webhooks first; Siskin's judge is one.
        var metadata = plan.judgeMetadata
        metadata["window"] = metadata["window"] ?? DurationText.text(seconds: plan.judgeWindow)
        metadata["primary"] = metadata["primary"] ?? primary
        metadata["time"] = metadata["time"] ?? String(judgeTime)
        // Not judged, recorded in the judge history for the canary page's
        // timeline (Flagger's own payload has no weight).
        metadata["canaryWeight"] = String(weight)
        var judge: JudgeAnswer?
        do {
            let answer = try client.judge(name: canary, namespace: namespace, phase: "Progressing",
                                          checksum: checksum, metadata: metadata)
            judge = JudgeAnswer(outcome: answer.outcome, score: answer.score, summary: answer.summary)
            checks.append(CheckResult(name: "siskin-judge", passed: answer.status == 200,
                                      detail: "judge \(answer.summary)"))
        } catch {
            checks.append(CheckResult(name: "siskin-judge", passed: false, detail: "judge webhook failed: \(error)"))
        }

        let canaryReading = reading(canary)
        let primaryReading = reading(primary)
        func missing(_ metric: String) -> CheckResult {
            let why = canaryReading.errors[metric].map { "query failed: \($0)" } ?? "\(canary) gets no traffic?"
            return CheckResult(name: metric, passed: false, detail: "no values found for \(metric): \(why)")
        }
        switch canaryReading.successRate {
        case .none:
            checks.append(missing("request-success-rate"))
        case .some(let rate):
            let passed = rate >= plan.minSuccessRate
            checks.append(CheckResult(
                name: "request-success-rate", passed: passed,
                detail: "request-success-rate \(Format.percent(rate)) \(passed ? "≥" : "<") "
                    + "\(Format.percent(plan.minSuccessRate))"))
        }
        switch canaryReading.p99Milliseconds {
        case .none:
            checks.append(missing("request-duration"))
        case .some(let p99):
            let passed = p99 <= plan.maxRequestDurationMilliseconds
            checks.append(CheckResult(
                name: "request-duration", passed: passed,
                detail: "request-duration p99 \(Format.milliseconds(p99)) \(passed ? "≤" : ">") "
                    + "\(Format.milliseconds(plan.maxRequestDurationMilliseconds))"))
        }
        return AnalysisReport(elapsedSeconds: elapsedSeconds, canaryWeight: weight, primary: primaryReading,
                              canary: canaryReading, judge: judge, checks: checks)
    }

    /// A side's rate, success rate and p99 over the interval. An empty answer
    /// or NaN (no requests) reads as no value; a failed query too, with its
    /// error kept under the metric's name.
    func reading(_ target: String) -> SideReading {
        var reading = SideReading()
        func value(_ metric: String, _ template: String) -> Double? {
            let query = FlaggerMetricTemplates.render(template, namespace: namespace, target: target, interval: interval)
            do {
                guard let value = try client.value(of: query), value.isFinite else { return nil }
                return value
            } catch {
                reading.errors[metric] = error.description
                return nil
            }
        }
        reading.requestsPerSecond = value("request-rate", FlaggerMetricTemplates.requestRate)
        reading.successRate = value("request-success-rate", FlaggerMetricTemplates.requestSuccessRate)
        reading.p99Milliseconds = value("request-duration", FlaggerMetricTemplates.requestDuration)
        return reading
    }
}
