import Foundation
import SiskinCanary
import SiskinDemo
import SiskinQuery
import SiskinServer
import SiskinSync
import SiskinTesting
import Synchronization
import Testing

/// The pages in a real headless Chromium, against `siskin demo`'s live
/// `siskin serve` (simulated Envoys, real agents, a Flagger-style rollout)
/// with a canary answering 4 % 5xx: every page loads without console errors,
/// shows the numbers the JSON API gives for the same window and time, and the
/// canary page shows the judge's failing verdict and the rollout's history.
/// Screenshots and DOM dumps go to `.build/test-artifacts/web/`.
@Suite("Pages in headless Chromium", .serialized,
       .enabled(if: Browser.path != nil || Browser.underCI,
                "needs Chromium (apt-get install chromium); under CI=true its absence fails"))
struct PagesTests {
    /// What the demo printed, for waiting on its lines.
    final class Lines: Sendable {
        private let lines = Mutex<[String]>([])
        func append(_ line: String) { lines.locked { $0.append(line) } }
        var all: [String] { lines.locked { $0 } }

        func wait(seconds: Double, for predicate: (String) -> Bool) async throws -> String {
            let deadline = Date().addingTimeInterval(seconds)
            while Date() < deadline {
                if let line = all.first(where: predicate) { return line }
                try await Task.sleep(for: .milliseconds(200))
            }
            throw Timeout(description: "no such line after \(seconds)s; the demo printed:\n" + all.joined(separator: "\n"))
        }
    }

    struct Timeout: Error, CustomStringConvertible { var description: String }

    final class Flag: Sendable {
        private let value = Mutex(false)
        func set() { value.locked { $0 = true } }
        var isSet: Bool { value.locked { $0 } }
    }

    @Test("a bad canary's rollout, seen in the browser", .scaledTimeLimit(minutes: 4))
    func badCanaryRollout() async throws {
        guard Browser.path != nil else {
            Issue.record("CI=true, but chromium is missing: the browser suite cannot be skipped under CI (install Debian's `chromium`, as .ci/run does)")
            return
        }
        let lines = Lines(), done = Flag()
        var options = DemoOptions(scenario: .errors)
        options.lingerSeconds = 600  // ended by `done` once the pages are checked
        options.interrupted = { done.isSet }
        let demo = Task { try await Demo.run(options) { lines.append($0) } }
        do {
            try await checkPages(lines)
        } catch {
            done.set()
            _ = await demo.result
            throw error
        }
        done.set()
        let result = try await demo.value
        #expect(result.outcome == .rolledBack)
        #expect(!result.interrupted)
    }

    func checkPages(_ lines: Lines) async throws {
        // The header names the canary page.
        let pageLine = try await lines.wait(seconds: 30) { $0.hasPrefix("  page ") }
        let canaryURL = try #require(pageLine.split(separator: " ").last.map(String.init))
        #expect(canaryURL.contains("/#/canary?namespace=test&canary=podinfo&primary=podinfo-primary&window=5s"))
        let base = try #require(canaryURL.components(separatedBy: "/#/").first)

        // While the rollout runs: the live canary page, after the first analysis.
        _ = try await lines.wait(seconds: 60) { $0.contains("halt (1/3 failed checks)") }
        let live = try await Browser.dumpDOM(canaryURL, name: "canary-live")
        expectClean(live, view: "canary")
        #expect(PageValues.attribute("data-outcome", in: live.dom) != nil, "no verdict on the live page")
        _ = try await Browser.screenshot(canaryURL, name: "canary-live", height: 1700)

        // After the rollback: pages pinned to the last judge call's time, so
        // page and API answer for exactly the same window.
        _ = try await lines.wait(seconds: 60) { $0.hasPrefix("ROLLED BACK") }
        let history = try await APIClient.decode(
            CanaryHistoryReport.self, base + "/api/v1/siskin/canary/history?namespace=test&canary=podinfo")
        let entries = try #require(history.canaries.first?.entries)
        #expect(entries.count == 3, "\(entries.map(\.judgement.verdict.summary))")
        #expect(entries.allSatisfy { $0.source == "flagger" && $0.canaryWeight == 10 })
        let time = try #require(entries.last).judgement.time
        try await waitForCompleteData(base: base, time: time)
        try await checkCanaryPage(base: base, time: time, calls: entries.count)
        try await checkFleetPage(base: base, time: time)
        try await checkWorkloadPage(base: base, time: time)

        // Without a workload the view asks for one.
        let form = try await Browser.dumpDOM(base + "/#/workload", name: "workload-form", budget: 2000)
        expectClean(form, view: "workload")
        #expect(form.dom.contains("<form") && form.dom.contains("name=\"workload\""))
    }

    /// Waits until every agent has pushed past `time` (the store's watermark
    /// is beyond the last 1 s slot before it): until then a window ending at
    /// `time` is answered for less of itself, and the page and the API, read
    /// a moment apart, could see different coverage.
    func waitForCompleteData(base: String, time: Double) async throws {
        let query = "namespace=test&canary=podinfo&primary=podinfo-primary&window=5s&time=\(time)"
        let lastSlotEnd = (time * 1000).rounded(.down) - (time * 1000).rounded(.down).truncatingRemainder(dividingBy: 1000)
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            let comparison = try await APIClient.decode(CanaryComparison.self, base + "/api/v1/siskin/canary/compare?" + query)
            if let to = comparison.judgement.coveredTo, Double(to) >= lastSlotEnd { return }
            try await Task.sleep(for: .milliseconds(200))
        }
        Issue.record("the data for the window ending at \(time) was still incomplete after 30 s")
    }

    func checkCanaryPage(base: String, time: Double, calls: Int) async throws {
        let query = "namespace=test&canary=podinfo&primary=podinfo-primary&window=5s&time=\(time)"
        let visit = try await Browser.dumpDOM(base + "/#/canary?" + query, name: "canary-pinned")
        expectClean(visit, view: "canary")
        _ = try await Browser.screenshot(base + "/#/canary?" + query, name: "canary-pinned", height: 1700)
        let judgement = try await APIClient.decode(CanaryJudgement.self, base + "/api/v1/siskin/canary/judge?" + query)
        let verdict = judgement.verdict
        #expect(verdict.outcome == .fail, "\(verdict.summary)")
        #expect(PageValues.attribute("data-outcome", in: visit.dom) == verdict.outcome.rawValue)
        #expect(PageValues.attribute("data-score", in: visit.dom).flatMap(Double.init) == verdict.score)
        #expect(visit.dom.contains("FAIL"))
        #expect(visit.dom.contains("aria-label=\"Success rate of primary and canary over time\""))
        #expect(visit.dom.contains("class=\"line canary\""), "no canary trend line drawn")
        #expect(visit.dom.contains("data-metric=\"errors\" data-outcome=\"fail\""), "the failing metric is not listed")
        // The history: one row per judge call, each at the demo's 10 % weight.
        #expect(visit.dom.components(separatedBy: "data-weight=\"10\"").count - 1 == calls)

        let page = PageValues(dom: visit.dom)
        for (side, summary) in [("canary", verdict.canary), ("primary", verdict.primary)] {
            expectEqual(page.value(["side": side, "metric": "requests"]), summary.requests, "\(side) requests")
            expectEqual(page.value(["side": side, "metric": "errors"]), summary.errors, "\(side) 5xx")
            expectEqual(page.value(["side": side, "metric": "successRate"]), summary.errorPercent.map { 1 - $0 / 100 },
                        "\(side) success rate", tolerance: 1e-12)
            expectEqual(page.value(["side": side, "metric": "p50"]), summary.p50Milliseconds, "\(side) p50")
            expectEqual(page.value(["side": side, "metric": "p99"]), summary.p99Milliseconds, "\(side) p99")
        }
        let canarySuccess = try #require(page.value(["side": "canary", "metric": "successRate"]) ?? nil)
        #expect(abs(canarySuccess - 0.96) < 0.02, "canary success \(canarySuccess)")
    }

    func checkFleetPage(base: String, time: Double) async throws {
        let url = base + "/#/?window=30s&time=\(time)"
        let visit = try await Browser.dumpDOM(url, name: "fleet")
        expectClean(visit, view: "fleet")
        _ = try await Browser.screenshot(url, name: "fleet", height: 700)
        let page = PageValues(dom: visit.dom)
        let inventory = try await APIClient.decode(Inventory.self, base + "/api/v1/siskin/workloads")
        #expect(inventory.workloads.map(\.workload) == ["loadgenerator", "podinfo", "podinfo-primary"])
        for workload in inventory.workloads {
            let id = "\(workload.namespace)/\(workload.workload)"
            let report = try await APIClient.decode(
                WorkloadReport.self, base + "/api/v1/siskin/workload?namespace=\(workload.namespace)"
                    + "&workload=\(workload.workload)&window=30s&time=\(time)")
            expectEqual(page.value(["workload": id, "metric": "requestRate"]), report.requestRate, "\(id) rate")
            expectEqual(page.value(["workload": id, "metric": "successRate"]), report.successRate, "\(id) success")
            expectEqual(page.value(["workload": id, "metric": "p99"]), report.latencyMilliseconds?.p99, "\(id) p99")
            expectEqual(page.value(["workload": id, "metric": "pods"]), Double(workload.pods), "\(id) pods")
        }
        let primaryRate = try #require(page.value(["workload": "test/podinfo-primary", "metric": "requestRate"]) ?? nil)
        #expect(primaryRate > 1000, "the primary's rate on the page: \(primaryRate)")
    }

    func checkWorkloadPage(base: String, time: Double) async throws {
        let query = "namespace=test&workload=podinfo-primary&window=30s&time=\(time)"
        let visit = try await Browser.dumpDOM(base + "/#/workload?" + query, name: "workload")
        expectClean(visit, view: "workload")
        _ = try await Browser.screenshot(base + "/#/workload?" + query, name: "workload", height: 1300)
        let page = PageValues(dom: visit.dom)
        let report = try await APIClient.decode(WorkloadReport.self, base + "/api/v1/siskin/workload?" + query)
        let summary = PageValues(dom: section(visit.dom, id: "summary"))
        expectEqual(summary.value(["metric": "requestRate"]), report.requestRate, "rate")
        expectEqual(summary.value(["metric": "successRate"]), report.successRate, "success")
        expectEqual(summary.value(["metric": "p50"]), report.latencyMilliseconds?.p50, "p50")
        expectEqual(summary.value(["metric": "p90"]), report.latencyMilliseconds?.p90, "p90")
        expectEqual(summary.value(["metric": "p99"]), report.latencyMilliseconds?.p99, "p99")
        #expect(report.pods.count == 2)
        for pod in report.pods {
            expectEqual(page.value(["pod": pod.pod, "metric": "requestRate"]), pod.requestRate, "\(pod.pod) rate")
            expectEqual(page.value(["pod": pod.pod, "metric": "errorRate"]), pod.errorRate, "\(pod.pod) 5xx")
        }
        let v1 = try await APIClient.decode(WorkloadReport.self, base + "/api/v1/siskin/workload?" + query + "&revision=v1")
        expectEqual(page.value(["revision": "v1", "metric": "requestRate"]), v1.requestRate, "v1 rate")
        expectEqual(page.value(["revision": "v1", "metric": "p99"]), v1.latencyMilliseconds?.p99, "v1 p99")
    }

    /// No console line (messages, failed loads, CSP violations), no error the
    /// page caught itself, and the view rendered.
    func expectClean(_ visit: Browser.Visit, view: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(visit.consoleLines.isEmpty, "console: \(visit.consoleLines)", sourceLocation: sourceLocation)
        #expect(PageValues.attribute("data-errors", in: visit.dom) == nil, "page errors in \(visit.url)",
                sourceLocation: sourceLocation)
        #expect(PageValues.attribute("data-ready", in: visit.dom) == view, "\(visit.url) not rendered",
                sourceLocation: sourceLocation)
    }

    /// The page's number (nil when it shows none) equals the API's.
    func expectEqual(_ shown: Double??, _ api: Double?, _ what: String, tolerance: Double = 0,
                     sourceLocation: SourceLocation = #_sourceLocation) {
        guard let shown else {
            Issue.record("\(what): not on the page", sourceLocation: sourceLocation)
            return
        }
        switch (shown, api) {
        case (nil, nil): return
        case let (s?, a?):
            #expect(abs(s - a) <= tolerance * max(1, abs(a)), "\(what): page \(s), API \(a)", sourceLocation: sourceLocation)
        default:
            Issue.record("\(what): page \(String(describing: shown)), API \(String(describing: api))", sourceLocation: sourceLocation)
        }
    }

    /// The HTML of the element with `id` (up to the next `id=` section), for
    /// values that appear in several places.
    func section(_ dom: String, id: String) -> String {
        guard let start = dom.range(of: "id=\"\(id)\"") else { return "" }
        let rest = dom[start.upperBound...]
        let end = rest.range(of: " id=\"")?.lowerBound ?? rest.endIndex
        return String(rest[..<end])
    }
}
