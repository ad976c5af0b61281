import SiskinQuery
import SiskinStore

/// A verdict together with what was judged: the workloads, the window and
/// the part of it the store covered, and the configuration used. What the
/// judge endpoints answer and the canary history keeps.
public struct CanaryJudgement: Sendable, Equatable, Codable {
    public var namespace: String
    public var canary: String
    public var primary: String
    public var reporter: String
    public var windowSeconds: Double
    /// End of the window, Unix seconds.
    public var time: Double
    /// The part of the window with data (ms since the epoch), nil if none.
    public var coveredFrom: Int64?
    public var coveredTo: Int64?
    public var configuration: JudgeConfiguration
    public var verdict: Verdict

    public init(window: CanaryWindow, samples: CanarySamples, configuration: JudgeConfiguration, verdict: Verdict) {
        namespace = window.namespace
        canary = window.canary
        primary = window.primary
        reporter = window.reporter
        windowSeconds = Double(window.windowMilliseconds) / 1000
        time = Double(window.at) / 1000
        coveredFrom = samples.coveredFrom
        coveredTo = samples.coveredTo
        self.configuration = configuration
        self.verdict = verdict
    }

    /// One line for Flagger's events and logs: what was compared and the
    /// verdict's summary, e.g. `siskin canary test/podinfo vs podinfo-primary
    /// (1m): fail (score 0): critical errors failed: 5xx 4.00 % …`.
    public var headline: String {
        "siskin canary \(namespace)/\(canary) vs \(primary) (\(Self.duration(windowSeconds))): "
            + verdict.summary.replacingNewlines()
    }

    /// What was judged, for the text report: the workloads, the window and
    /// how much of it had data.
    public var context: String {
        var line = "\(namespace): canary \(canary) against primary \(primary), reporter \(reporter), "
            + "\(Self.duration(windowSeconds)) window"
        if let from = coveredFrom, let to = coveredTo {
            let covered = Double(to - from) / 1000
            line += covered + 0.0005 < windowSeconds ? " (data for \(Self.duration(covered)) of it)" : ""
        } else {
            line += " (no data in it)"
        }
        return line
    }

    /// `context`, then the verdict's report: the text the webhook answers
    /// after its headline and `siskin canary judge` prints.
    public func report() -> String {
        context + "\n\n" + verdict.report()
    }

    /// `90` → `1m30s`, `60` → `1m`, `0.5` → `500ms`.
    static func duration(_ seconds: Double) -> String {
        DurationText.text(seconds: seconds)
    }
}

extension String {
    fileprivate func replacingNewlines() -> String {
        String(map { $0.isNewline ? " " : $0 })
    }
}

extension CanaryJudge {
    /// Reads both sides of `window` from the store and judges them, keeping
    /// what was judged with the verdict.
    public func judgement(_ window: CanaryWindow, store: borrowing WindowedStore, now: Int64) -> CanaryJudgement {
        let samples = window.samples(store: store, now: now)
        return CanaryJudgement(window: window, samples: samples, configuration: configuration,
                               verdict: judge(canary: samples.canary, primary: samples.primary))
    }
}
