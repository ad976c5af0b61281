import Foundation
import SiskinSimulator
import SiskinQuery

/// Flagger's control loop for the demo's canary: every interval an analysis,
/// then the state machine's decision applied to the simulated traffic split.
/// Blocking; runs on its own thread.
struct RolloutDriver {
    let options: DemoOptions
    let client: FlaggerClient
    let mesh: FakeMesh
    let view: ProgressView

    func run() -> DemoResult {
        let plan = options.plan
        let name = "\(options.canary).\(options.namespace)"
        let start = Date()
        func elapsed() -> Double { Date().timeIntervalSince(start) }
        let deadline = options.deadline
        let analysis = Analysis(client: client, plan: plan, namespace: options.namespace, canary: options.canary,
                                primary: options.primary, checksum: String(options.seed, radix: 16))

        // Flagger waits for the canary to be ready; here: for the primary's
        // traffic to be visible through the Prometheus API.
        view.event(elapsed(), "waiting for \(options.primary)'s traffic to reach siskin serve")
        while analysis.reading(options.primary).requestsPerSecond == nil {
            if options.interrupted() {
                var result = DemoResult(outcome: .rolledBack, reasons: ["interrupted"], analyses: [], failedChecks: 0,
                                        peakWeight: 0, elapsedSeconds: elapsed())
                result.interrupted = true
                return result
            }
            if elapsed() > deadline {
                return DemoResult(outcome: .rolledBack, reasons: ["no traffic reached siskin serve within \(Int(deadline))s"],
                                  analyses: [], failedChecks: 0, peakWeight: 0, elapsedSeconds: elapsed())
            }
            Thread.sleep(forTimeInterval: options.agentIntervalSeconds / 2)
        }

        var rollout = Rollout(plan: plan)
        view.event(elapsed(), "New revision detected: starting canary analysis for \(name)")
        guard case .advance(let first) = rollout.start() else { preconditionFailure("a rollout starts by advancing") }
        route(canaryWeight: first)
        view.event(elapsed(), "Advance \(name) canary weight \(first)")
        view.tableHeader()
        // Analyses every interval from the first shift, each over the interval before it.
        let firstShift = Date()

        var reports: [AnalysisReport] = []
        var reasons: [String] = []
        var peak = first
        var interrupted = false
        var step = 1
        while !rollout.isFinished {
            let due = firstShift.addingTimeInterval(Double(step) * plan.intervalSeconds)
            step += 1
            while due.timeIntervalSinceNow > 0, !options.interrupted() {
                Thread.sleep(forTimeInterval: min(0.1, max(0, due.timeIntervalSinceNow)))
            }
            if options.interrupted() {
                rollout.abort()
                route(canaryWeight: 0)
                reasons = ["interrupted"]
                interrupted = true
                view.event(elapsed(), "Interrupted: rolling back \(name)")
                break
            }
            if elapsed() > deadline {
                rollout.abort()
                route(canaryWeight: 0)
                reasons = ["progress deadline of \(Int(deadline))s exceeded"]
                view.event(elapsed(), "Rolling back \(name): progress deadline exceeded")
                break
            }
            let judged = waitForCompleteData(through: due, maxSeconds: 2 * plan.intervalSeconds)
            let report = analysis.run(elapsedSeconds: elapsed(), weight: rollout.canaryWeight, judgeTime: judged)
            reports.append(report)
            let decision = rollout.record(analysisPassed: report.passed)
            view.row(report, decision: decision, threshold: plan.threshold)
            switch decision {
            case .advance(let weight):
                route(canaryWeight: weight)
                peak = max(peak, weight)
            case .halt:
                break
            case .promote:
                route(canaryWeight: 0)
                view.event(elapsed(), "Copying \(name) template spec to \(options.primary).\(options.namespace); "
                    + "routing all traffic to the primary")
            case .rollBack(let failed):
                route(canaryWeight: 0)
                reasons = report.failures.map(\.detail)
                view.event(elapsed(), "Rolling back \(name): failed checks threshold reached \(failed)")
            }
        }
        var result = DemoResult(outcome: rollout.phase == .succeeded ? .promoted : .rolledBack, reasons: reasons,
                                analyses: reports, failedChecks: rollout.failedChecks, peakWeight: peak,
                                elapsedSeconds: elapsed())
        result.interrupted = interrupted
        return result
    }

    /// Waits (at most `maxSeconds`) until every agent's data up to `due`
    /// (down to a whole store slot), and up to about one agent interval
    /// ago, is in the store; returns that slot boundary as the end of the
    /// judge's window (Unix seconds).
    ///
    /// The demo runs Flagger's loop with seconds for minutes, so the agents'
    /// push lag (a slot or two, more on a starved machine) is a large share
    /// of a 5 s window. The judge is asked for the interval that just ended,
    /// once its data is complete: the question Flagger asks with minute
    /// intervals, where the same lag is noise. Flagger's builtin checks then
    /// run at "now", as Flagger runs them, with the data that recent in: a
    /// window ending now with only a sliver of it covered would read 0/0.
    /// If the data is still incomplete at the deadline, both get it as it is.
    private func waitForCompleteData(through due: Date, maxSeconds: Double) -> Double {
        let slot = Int64((options.agentIntervalSeconds * 1000).rounded())
        let end = Int64(due.timeIntervalSince1970 * 1000) / slot * slot
        let deadline = Date().addingTimeInterval(maxSeconds)
        let window = DurationText.text(seconds: options.plan.judgeWindow)
        while Date() < deadline, !options.interrupted() {
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            let recent = now / slot * slot - 2 * slot
            if let covered = client.coveredTo(namespace: options.namespace, canary: options.canary,
                                              primary: options.primary, window: window),
               covered >= max(end, recent) {
                break
            }
            Thread.sleep(forTimeInterval: 0.1)
        }
        return Double(end) / 1000
    }

    /// The VirtualService weights: `canaryWeight` percent of the load to the canary.
    private func route(canaryWeight: Int) {
        let total = options.scenario.requestsPerSecond
        let share = Double(canaryWeight) / 100
        _ = mesh.setRequestsPerSecond(total * share, from: DemoOptions.loadGenerator, to: options.canary)
        _ = mesh.setRequestsPerSecond(total * (1 - share), from: DemoOptions.loadGenerator, to: options.primary)
    }
}
