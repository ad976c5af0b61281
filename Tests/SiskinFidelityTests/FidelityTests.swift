import Foundation
import SiskinSimulator
import SiskinTesting
import Testing

/// The fidelity suite: the same simulated mesh is scraped by a real Prometheus every
/// second while `siskin-agent`s push to `siskin serve`; the queries Flagger,
/// prometheus-adapter, Kiali and Grafana send are then asked of both at the same
/// evaluation time, and the answers must agree within the issue's tolerances (success
/// rate ±0.2 pp, p99 in the same bucket and ±5 %, rates ±2 %, the same label sets, the
/// same empty answers).
///
/// Timeline (wall-clock seconds after traffic starts; the mesh's clock ticks every
/// 100 ms): `loadgenerator` calls podinfo at 300 rps (30 % to the canary) from 0 s; a new
/// source workload, `storefront`, starts calling at 100 rps at 25 s; one primary pod's
/// Envoy restarts at 44 s; the battery is evaluated at about 75 s, so every 1m window
/// holds the new source's first requests and the restart. prometheus-adapter's 2m
/// window reaches back before the first request: both must answer it as Prometheus'
/// `rate()` does for a partial window.
@Suite("Fidelity: siskin against a real Prometheus on the same traffic", .serialized)
struct FidelityTests {
    static let namespace = "test"
    static let service = "podinfo"
    /// Requests per second from `loadgenerator`, and from `storefront` once it appears.
    /// High enough that a second of Poisson noise at a window's edge stays far below the
    /// 2 % rate tolerance even on the smallest edge (storefront → canary, 30 rps).
    static let loadRate = 300.0
    static let newSourceRate = 100.0
    static let canaryWeight = 0.3
    static let newSourceStart = 25.0
    static let restartAt = 44.0
    static let evaluateAfter = 80.0
    /// How far behind the wall clock answers are asked for, so both have the data.
    static let evaluationLag = 5.0

    @Test(
        "Flagger, prometheus-adapter, Kiali and Grafana queries answer as Prometheus does",
        .enabled(if: FidelityEnvironment.prometheusInstalled || FidelityEnvironment.underCI,
                 "needs Prometheus (apt-get install prometheus); under CI=true its absence fails"),
        .scaledTimeLimit(minutes: 5))
    func sameAnswersAsPrometheus() async throws {
        guard FidelityEnvironment.prometheusInstalled else {
            Issue.record("CI=true, but \(FidelityEnvironment.prometheusPath) is missing: the fidelity suite cannot be skipped under CI (install Debian's `prometheus`, as .ci/run does)")
            return
        }
        let directory = try BuiltExecutable.temporaryDirectory()
        let children = ChildProcesses()
        let topology = MeshTopology.canaryRollout(
            namespace: Self.namespace, service: Self.service, primaryPods: 2, canaryPods: 1,
            sources: ["loadgenerator"], idleSources: ["storefront"], requestsPerSecond: Self.loadRate,
            canaryWeight: Self.canaryWeight)
        let mesh = try FakeMesh(fleet: Fleet(topology: topology, seed: 42))
        let meshCreated = Date().timeIntervalSince1970
        defer {
            children.stopAll()
            mesh.stop()
            try? FileManager.default.removeItem(atPath: directory)
        }
        let primary = "\(Self.service)-primary", canary = "\(Self.service)-canary"
        let primaryPods = mesh.endpoints.filter { $0.workload == primary }.map(\.pod)

        // Both scrapers up and holding a first, traffic-free sample of every pod, so both
        // see every Istio series from its first request.
        let tokenFile = try SiskinRig.writeToken(directory: directory)
        let siskin = try await SiskinRig.startServer(directory: directory, tokenFile: tokenFile, children: children)
        let prometheus = try await PrometheusRig.start(endpoints: mesh.endpoints, directory: directory, children: children)
        try SiskinRig.startAgents(
            for: mesh.endpoints, server: siskin, tokenFile: tokenFile, directory: directory, children: children)
        let allPods = Set(mesh.endpoints.map(\.pod))
        let scraped = await waitUntilAsync(timeout: 30) {
            let up = try? await prometheus.query("up{job=\"kubernetes-pods\"} == 1", at: Date().timeIntervalSince1970)
            let prometheusPods = Set(up?.series.compactMap { $0.labels["pod"] } ?? [])
            let siskinPods = await SiskinRig.knownPods(siskin)
            return prometheusPods == allPods && siskinPods == allPods
        }
        try #require(scraped, "scrapers did not see every pod within 30 s\n\(children.logs())")

        // Traffic.
        try mesh.startClock(tick: 0.1)
        let trafficStart = Date()
        try await sleep(until: trafficStart.addingTimeInterval(Self.newSourceStart))
        mesh.setRequestsPerSecond(Self.newSourceRate * (1 - Self.canaryWeight), from: "storefront", to: primary)
        mesh.setRequestsPerSecond(Self.newSourceRate * Self.canaryWeight, from: "storefront", to: canary)
        try await sleep(until: trafficStart.addingTimeInterval(Self.restartAt))
        // What Envoy counted after a scraper's last scrape dies with it, for any scraper,
        // and the two scrapers' last scrapes are up to a second apart: let both read the
        // final counters first (a drained pod), so the comparison measures the
        // aggregator, not the scrape phase.
        mesh.isPaused = true
        try await Task.sleep(for: .milliseconds(1_500))
        #expect(mesh.restart(pod: primaryPods[0]))
        mesh.isPaused = false
        try await sleep(until: trafficStart.addingTimeInterval(Self.evaluateAfter))

        try Self.requireAllRunning(children, "during the traffic")
        let time = (Date().timeIntervalSince1970 - Self.evaluationLag).rounded(.down)
        var report = FidelityReport()

        // 1. The reference itself: Prometheus must see the simulated traffic, or the
        //    harness tests nothing.
        let battery = Battery.queries(namespace: Self.namespace, service: Self.service, primaryPods: primaryPods)
        var reference: [String: PromAnswer] = [:]
        for query in battery {
            let answer = try await Self.ask(prometheus, query, at: time)
            reference[query.name] = answer
            report.harness += Self.expectation(query, answer)
        }
        report.harness += Self.groundTruth(
            mesh: mesh, reference: reference, at: time, primary: primary, canary: canary, primaryPods: primaryPods,
            meshCreated: meshCreated)

        // 2. Siskin's native API over the same window.
        for workload in [primary, canary] {
            report.native += try await Self.nativeCrossCheck(
                siskin, workload: workload, reference: reference, at: time)
        }

        // 3. The battery on siskin's Prometheus API.
        for query in battery {
            guard let expected = reference[query.name] else { continue }
            do {
                let answer = try await Self.ask(siskin, query, at: time)
                report.promQL += Compare.answers(query.name, prometheus: expected, siskin: answer, tolerance: query.tolerance)
            } catch {
                report.promQL.append(ComparisonRow(
                    check: query.name, labels: "", prometheus: expected.description, siskin: "\(error)",
                    problem: "siskin did not answer"))
            }
        }
        for (name, matcher) in [
            ("series {namespace!=\"\",pod!=\"\"}", "istio_requests_total{namespace!=\"\",pod!=\"\"}"),
            ("series, empty", "istio_requests_total{namespace=\"nowhere\"}"),
        ] {
            let start = trafficStart.timeIntervalSince1970 - 10
            let expected = try await prometheus.series(matcher, start: start, end: time)
            if name.hasSuffix("empty") {
                report.harness.append(ComparisonRow(
                    check: name, labels: "", prometheus: expected.description, siskin: "(expected: none)",
                    problem: expected.isSuccess && expected.series.isEmpty ? nil : "Prometheus found series"))
            } else {
                report.harness.append(ComparisonRow(
                    check: name, labels: "", prometheus: expected.description, siskin: "(expected: some)",
                    problem: expected.isSuccess && !expected.series.isEmpty ? nil : "Prometheus found none"))
            }
            do {
                let answer = try await siskin.series(matcher, start: start, end: time)
                let (rows, ignored) = Compare.seriesSets(name, prometheus: expected, siskin: answer)
                report.promQL += rows
                if !ignored.isEmpty { report.ignoredLabels = ignored }
            } catch {
                report.promQL.append(ComparisonRow(
                    check: name, labels: "", prometheus: expected.description, siskin: "\(error)",
                    problem: "siskin did not answer"))
            }
        }

        try Self.requireAllRunning(children, "while answering")
        let elapsed = Date().timeIntervalSince(trafficStart)
        print("fidelity: \(BuiltExecutable.productsDirectory)/siskin on \(siskin.baseURL), Prometheus on \(prometheus.baseURL); "
            + "evaluated at \(PromServer.format(time)) after \(String(format: "%.0f", elapsed)) s of traffic; " + report.summary)
        if FidelityEnvironment.verbose {
            print(report.text)
        }
        for section in report.failedSections {
            Issue.record("\(section.title): \(section.failures) check(s) failed\n\(Compare.table(section.rows, left: section.left, right: section.right))")
        }
    }

    // MARK: Steps

    /// Every child still runs (and so still owns its port): otherwise the answers cannot
    /// be trusted to come from this run's servers.
    static func requireAllRunning(_ children: ChildProcesses, _ when: String) throws {
        let exited = children.exited
        guard exited.isEmpty else {
            let logs = exited.map { "--- \($0.name) exited with \($0.process.terminationStatus):\n\($0.logTail(40))" }
            throw RigFailure(description: "\(exited.map(\.name).joined(separator: ", ")) exited \(when)\n" + logs.joined(separator: "\n"))
        }
    }

    static func ask(_ server: PromServer, _ query: BatteryQuery, at time: Double) async throws -> PromAnswer {
        switch query.kind {
        case .instant(let post):
            try await server.query(query.query, at: time, post: post)
        case .range(let lookback, let step):
            try await server.queryRange(query.query, start: time - lookback, end: time, step: step)
        }
    }

    /// Prometheus answered what the scenario must produce.
    static func expectation(_ query: BatteryQuery, _ answer: PromAnswer) -> [ComparisonRow] {
        let problem: String?
        switch query.expectation {
        case .empty:
            problem = answer.isSuccess && answer.series.isEmpty ? nil : "expected an empty answer"
        case .series(let count):
            let finite = answer.series.allSatisfy { $0.points.allSatisfy { $0.value.isFinite } }
            problem = answer.isSuccess && answer.series.count == count && finite
                ? nil : "expected \(count) series with finite values"
        }
        guard answer.isSuccess, !answer.series.isEmpty else {
            return [ComparisonRow(check: query.name, labels: "", prometheus: answer.description, siskin: "", problem: problem)]
        }
        return answer.series.enumerated().map { index, series in
            ComparisonRow(
                check: query.name, labels: Compare.labelText(series.labels),
                prometheus: series.points.map { Compare.valueText($0.value) }.joined(separator: " "), siskin: "",
                problem: index == 0 ? problem : nil)
        }
    }

    /// Prometheus' numbers against what the simulator really generated over the window
    /// (to a tick, 100 ms, at each edge): checks the scrape set-up itself.
    static func groundTruth(
        mesh: FakeMesh, reference: [String: PromAnswer], at time: Double, primary: String, canary: String,
        primaryPods: [String], meshCreated: Double
    ) -> [ComparisonRow] {
        var rows: [ComparisonRow] = []
        func value(_ query: String, _ labels: [String: String]) -> Double? {
            reference[query]?.series.first { $0.labels == labels }?.points.last?.value
        }
        func truth(_ predicate: [String: String]) -> Double? {
            mesh.requests(matching: predicate.merging(["reporter": "destination"]) { a, _ in a }, from: time - 60, to: time)
                .map { Double($0) }
        }
        for workload in [primary, canary] {
            guard let all = truth(["destination_workload": workload]),
                let errors503 = truth(["destination_workload": workload, "response_code": "503"]),
                let errors500 = truth(["destination_workload": workload, "response_code": "500"])
            else {
                rows.append(ComparisonRow(check: "ground truth \(workload)", labels: "", prometheus: "", siskin: "", problem: "no truth"))
                continue
            }
            let rate = value("kiali rate by workload > 0", ["destination_workload": workload])
            rows.append(ComparisonRow(
                check: "truth rate \(workload)", labels: "", prometheus: Compare.valueText(rate),
                siskin: Compare.valueText(all / 60),
                problem: Self.check(rate, against: all / 60, .relative(0.05))))
            let success = value("flagger success rate \(workload)", [:])
            let trueSuccess = 100 * (1 - (errors503 + errors500) / all)
            rows.append(ComparisonRow(
                check: "truth success % \(workload)", labels: "", prometheus: Compare.valueText(success),
                siskin: Compare.valueText(trueSuccess),
                problem: Self.check(success, against: trueSuccess, .percentagePoints(0.5))))
            if let fromNewSource = truth(["destination_workload": workload, "source_workload": "storefront"]) {
                let edge = value("kiali graph edges", ["source_workload": "storefront", "destination_workload": workload])
                rows.append(ComparisonRow(
                    check: "truth rate storefront→\(workload)", labels: "", prometheus: Compare.valueText(edge),
                    siskin: Compare.valueText(fromNewSource / 60),
                    problem: Self.check(edge, against: fromNewSource / 60, .relative(0.05))))
            }
        }
        // prometheus-adapter's 2m window starts before the mesh existed: no traffic then.
        for pod in primaryPods {
            let start = max(time - 120, meshCreated)
            guard let served = mesh.requests(matching: ["reporter": "destination"], pod: pod, from: start, to: time) else { continue }
            let rate = value("prometheus-adapter pod rate [2m]", ["pod": pod])
            rows.append(ComparisonRow(
                check: "truth 2m rate \(pod)", labels: "", prometheus: Compare.valueText(rate),
                siskin: Compare.valueText(Double(served) / 120),
                problem: Self.check(rate, against: Double(served) / 120, .relative(0.05))))
        }
        return rows
    }

    /// Prometheus' `value` against the truth: nil when close enough, otherwise why not.
    static func check(_ value: Double?, against truth: Double, _ tolerance: Tolerance) -> String? {
        guard let value else { return "Prometheus has no such series" }
        return tolerance.mismatch(expected: truth, actual: value)
    }

    /// Siskin's native workload answer against Prometheus' for the same 1m window.
    static func nativeCrossCheck(_ siskin: PromServer, workload: String, reference: [String: PromAnswer], at time: Double) async throws -> [ComparisonRow] {
        let native = try await SiskinRig.nativeReport(siskin, namespace: namespace, workload: workload, window: "1m", at: time)
        func value(_ query: String, _ labels: [String: String] = [:]) -> Double? {
            reference[query]?.series.first { $0.labels == labels }?.points.last?.value
        }
        var rows: [ComparisonRow] = []
        func row(_ check: String, _ expected: Double?, _ actual: Double?, _ tolerance: Tolerance) {
            let problem: String?
            if let expected, let actual {
                problem = tolerance.mismatch(expected: expected, actual: actual)
            } else {
                problem = "missing"
            }
            rows.append(ComparisonRow(
                check: check, labels: "", prometheus: Compare.valueText(expected), siskin: Compare.valueText(actual),
                problem: problem))
        }
        row("success % \(workload)", value("flagger success rate \(workload)"), native.successRate.map { $0 * 100 },
            .percentagePoints(0.2))
        row("p99 \(workload)", value("flagger p99 \(workload)"), native.p99, .quantile(0.05))
        row("rate \(workload)", value("kiali rate by workload > 0", ["destination_workload": workload]),
            native.requestRate, .relative(0.02))
        return rows
    }
}

/// Every comparison of one run, in three sections.
struct FidelityReport {
    struct Section {
        var title: String
        var left: String
        var right: String
        var rows: [ComparisonRow]
        var failures: Int { rows.filter { $0.problem != nil }.count }
    }

    /// Prometheus against the scenario and the simulator's ground truth.
    var harness: [ComparisonRow] = []
    /// Siskin's native `/api/v1/siskin/workload` against Prometheus.
    var native: [ComparisonRow] = []
    /// Siskin's Prometheus API against Prometheus.
    var promQL: [ComparisonRow] = []
    /// Label names only Prometheus has (not compared).
    var ignoredLabels: [String] = []

    var sections: [Section] {
        [
            Section(title: "harness: Prometheus vs the simulated traffic", left: "prometheus", right: "truth", rows: harness),
            Section(title: "siskin native API vs Prometheus", left: "prometheus", right: "siskin native", rows: native),
            Section(title: "siskin Prometheus API vs Prometheus", left: "prometheus", right: "siskin", rows: promQL),
        ]
    }

    var failedSections: [Section] { sections.filter { $0.failures > 0 } }
    var failed: Bool { !failedSections.isEmpty }

    var summary: String {
        sections.map { "\($0.title): \($0.rows.count - $0.failures)/\($0.rows.count) ok" }.joined(separator: "; ")
    }

    var text: String {
        sections.map { "== \($0.title)\n\(Compare.table($0.rows, left: $0.left, right: $0.right))" }.joined(separator: "\n")
            + "\nlabels only Prometheus has (not compared): \(ignoredLabels.joined(separator: ", "))"
    }
}
