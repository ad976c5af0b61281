import SiskinQuery

/// The demo's live view: a header saying what runs, a row per analysis as it
/// happens (weights, rate, success rate and p99 of both sides, the judge's
/// verdict, what Flagger did), Flagger-style event lines, and the result.
///
/// Plain lines, no cursor control, so it reads the same in a terminal, a CI
/// log or a pipe.
struct ProgressView: Sendable {
    let output: @Sendable (String) -> Void

    func header(_ options: DemoOptions, serverURL: String, dataDirectory: String, kept: Bool, agents: Int) {
        let plan = options.plan
        output("siskin demo: scenario \(options.scenarioName)")
        output("  traffic   \(options.scenario.description)")
        output("  serve     \(serverURL)  (Prometheus API, judge webhook; data in \(dataDirectory)"
            + (kept ? ")" : ", removed at exit)"))
        output("  page      \(options.pageURL(serverURL: serverURL))")
        output("  mesh      \(options.namespace)/\(options.primary) ×\(options.primaryPods), "
            + "\(options.namespace)/\(options.canary) ×\(options.canaryPods) (canary), "
            + "\(options.namespace)/\(DemoOptions.loadGenerator) ×1: \(agents) fake Envoys, "
            + "\(agents) siskin-agents every \(DurationText.text(seconds: options.agentIntervalSeconds))")
        output("  analysis  interval \(DurationText.text(seconds: plan.intervalSeconds)), threshold \(plan.threshold), "
            + "stepWeight \(plan.stepWeight), maxWeight \(plan.maxWeight); request-success-rate ≥ "
            + "\(Format.percent(plan.minSuccessRate)), request-duration ≤ "
            + "\(Format.milliseconds(plan.maxRequestDurationMilliseconds)), siskin judge over "
            + "\(DurationText.text(seconds: plan.judgeWindow))")
        output("")
    }

    func linger(_ options: DemoOptions, serverURL: String) {
        output("")
        output("Still serving for \(DurationText.text(seconds: options.lingerSeconds)) (Ctrl-C to stop): "
            + options.pageURL(serverURL: serverURL))
    }

    func event(_ elapsed: Double, _ text: String) {
        output("\(Format.right(Format.seconds(elapsed), 6))  \(text)")
    }

    func tableHeader() {
        output(Format.right("time", 6) + "  " + Format.right("weight", 6) + " │ "
            + side("primary", "req/s", "success", "p99") + " │ " + side("canary", "req/s", "success", "p99")
            + " │ " + Format.left("judge", 22) + " │ action")
    }

    func row(_ report: AnalysisReport, decision: Rollout.Decision, threshold: Int) {
        func cells(_ name: String, _ reading: SideReading) -> String {
            side(name, reading.requestsPerSecond.map(Format.number) ?? "-",
                 reading.successRate.map(Format.percent) ?? "-",
                 reading.p99Milliseconds.map(Format.milliseconds) ?? "-")
        }
        var judge = "-"
        if let answer = report.judge {
            judge = answer.outcome.rawValue + (answer.score.map { " (score \(Format.score($0)))" } ?? "")
        }
        let action: String
        switch decision {
        case .advance(let weight): action = "advance to \(weight)%"
        case .halt(let failed): action = "halt (\(failed)/\(threshold) failed checks)"
        case .promote: action = "promote"
        case .rollBack(let failed): action = "roll back (\(failed)/\(threshold) failed checks)"
        }
        let weights = "\(report.canaryWeight)%"
        output(Format.right(Format.seconds(report.elapsedSeconds), 6) + "  " + Format.right(weights, 6) + " │ "
            + cells("", report.primary) + " │ " + cells("", report.canary) + " │ " + Format.left(judge, 22)
            + " │ " + action)
        for failure in report.failures {
            output(String(repeating: " ", count: 16) + "↳ " + failure.detail)
        }
    }

    func result(_ result: DemoResult, options: DemoOptions) {
        let name = "\(options.namespace)/\(options.canary)"
        output("")
        if result.interrupted {
            output("INTERRUPTED after \(Format.seconds(result.elapsedSeconds)): \(name) rolled back undecided; "
                + "all traffic is back on \(options.primary).")
            return
        }
        switch result.outcome {
        case .promoted:
            output("PROMOTED: \(name) passed \(result.analyses.count) analyses (canary weight up to "
                + "\(result.peakWeight)%, \(Format.count(result.failedChecks, "failed check"))) in \(Format.seconds(result.elapsedSeconds)); "
                + "\(options.primary) now runs the canary's version.")
        case .rolledBack:
            output("ROLLED BACK: \(name) after \(Format.count(result.failedChecks, "failed check")) (threshold "
                + "\(options.plan.threshold)) in \(Format.seconds(result.elapsedSeconds)); all traffic is back on "
                + "\(options.primary). Why:")
            for reason in result.reasons { output("  - " + reason) }
        }
    }

    private func side(_ name: String, _ rate: String, _ success: String, _ p99: String) -> String {
        Format.left(name, 7) + Format.right(rate, 7) + Format.right(success, 9) + Format.right(p99, 8)
    }
}
