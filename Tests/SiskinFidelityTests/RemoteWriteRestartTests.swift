import Foundation
import SiskinTesting
import Testing

/// Remote write through an outage and a crash: the receiving Prometheus goes away,
/// `siskin serve` is killed with SIGKILL while its queue holds what the receiver missed,
/// and is restarted from its data directory; then the receiver comes back (same URL, same
/// TSDB). The queue on disk delivers what was waiting, the running totals continue, and
/// the receiver ends with siskin's own `increase()` totals, with no counter reset.
@Suite("Remote write: receiver outage plus kill -9 of siskin serve lose nothing", .serialized)
struct RemoteWriteRestartTests {
    @Test(
        "after a receiver outage and a kill -9, the receiver's increase() totals equal siskin's and no counter resets",
        .enabled(if: FidelityEnvironment.prometheusInstalled || FidelityEnvironment.underCI,
                 "needs Prometheus (apt-get install prometheus); under CI=true its absence fails"),
        .scaledTimeLimit(minutes: 6))
    func outageAndCrash() async throws {
        guard FidelityEnvironment.prometheusInstalled else {
            Issue.record("CI=true, but \(FidelityEnvironment.prometheusPath) is missing")
            return
        }
        let run = try MeshRun()
        defer { run.finish() }
        var receiver = try await PrometheusRig.startReceiver(directory: run.directory, children: run.children)
        let receiverPort = try #require(URLComponents(string: receiver.baseURL)?.port)
        let storage = try #require(receiver.storagePath)
        let arguments = [
            "--remote-write", receiver.baseURL + "/api/v1/write", "--remote-write-label", "cluster=restart",
            "--remote-write-interval", "1s", "--remote-write-shards", "2", "--remote-write-max-samples-per-send", "500",
        ]
        let siskinStart = Date()
        var siskin = try await SiskinRig.startServer(
            directory: run.directory, tokenFile: run.tokenFile, children: run.children, extraArguments: arguments)
        let siskinPort = try #require(URLComponents(string: siskin.baseURL)?.port)
        try SiskinRig.startAgents(
            for: run.mesh.endpoints, server: siskin, tokenFile: run.tokenFile, directory: run.directory, children: run.children)
        try #require(await run.waitForPods([siskin]), "siskin did not see every pod\n\(run.children.logs())")

        try run.mesh.startClock(tick: 0.1)
        let trafficStart = Date()
        try await sleep(until: trafficStart.addingTimeInterval(20))
        // The receiver goes away; siskin queues on disk.
        run.children.discard(try #require(run.children.named("prometheus-receiver")))
        try await sleep(until: trafficStart.addingTimeInterval(25))
        run.startNewSource(rate: 100)
        try await sleep(until: trafficStart.addingTimeInterval(35))
        let queuedBeforeCrash = try await Self.metric("siskin_remote_write_queue_samples", siskin) ?? 0
        // siskin dies without a chance to flush anything, and comes back on the same port and data.
        let crashed = try #require(run.children.named("siskin serve"))
        crashed.killHard()
        run.children.discard(crashed)
        siskin = try await SiskinRig.startServer(
            directory: run.directory, tokenFile: run.tokenFile, children: run.children, port: siskinPort, extraArguments: arguments)
        let restarted = try #require(run.children.named("siskin serve"))
        try await sleep(until: trafficStart.addingTimeInterval(55))
        // The receiver comes back: same address, same TSDB.
        receiver = try await PrometheusRig.startReceiver(
            directory: run.directory, children: run.children, port: receiverPort, storagePath: storage)
        try await sleep(until: trafficStart.addingTimeInterval(75))
        try FidelityTests.requireAllRunning(run.children, "during the traffic")
        let drained = await waitUntilAsync(timeout: 60) {
            let queued = (try? await Self.metric("siskin_remote_write_queue_samples", siskin)) ?? nil
            let lag = (try? await Self.metric("siskin_remote_write_lag_seconds", siskin)) ?? nil
            return queued == 0 && (lag ?? .infinity) < 10
        }
        try #require(drained, "siskin's queue did not drain\n\(run.children.logs())")

        // Whole seconds are slot ends and sample times (1 s slots, 1 s interval), and the
        // window starts before siskin did. The exported counters start at 0 with the export, so
        // their last values are siskin's increase over the whole run: compared exactly. The
        // receiver's increase() is compared too, within the fidelity suite's 2 % for rates: a
        // series created while the receiver was down has been seen to arrive without its
        // leading 0 sample, and Prometheus' extrapolation at such a series' start then
        // differs by a fraction of a request, 0.2-0.8 % on a rare 503 series (the missing
        // sample is under investigation; the exact comparison above is what proves nothing
        // was lost or counted twice).
        let time = (Date().timeIntervalSince1970 - 6).rounded(.down)
        let window = "\(Int(time - siskinStart.timeIntervalSince1970) + 30)s"
        var rows: [ComparisonRow] = []
        for (name, query) in [
            ("requests by workload and code", "sum by (destination_workload, response_code) (increase(istio_requests_total{reporter=\"destination\"}[\(window)]))"),
            ("requests by pod", "sum by (pod) (increase(istio_requests_total{reporter=\"destination\"}[\(window)]))"),
            ("latency count by workload", "sum by (destination_workload) (increase(istio_request_duration_milliseconds_count{reporter=\"destination\"}[\(window)]))"),
        ] {
            let truth = try await siskin.query(query, at: time)
            let exported = try await receiver.query(query, at: time)
            #expect(truth.isSuccess && truth.series.count >= 2, "siskin: \(truth)")
            rows += Compare.answers(name + " (increase)", prometheus: truth, siskin: exported, tolerance: .relative(0.02))
            let totals = query.replacingOccurrences(of: "(increase(", with: "(last_over_time(")
            rows += Compare.answers(name + " (exported totals)", prometheus: truth, siskin: try await receiver.query(totals, at: time),
                                    tolerance: .relative(0.0001))
        }
        let resets = try await receiver.query("sum(resets(istio_requests_total{cluster=\"restart\"}[\(window)]))", at: time)
        let metrics = try await LoopbackHTTP.get(siskin.baseURL + "/metrics").text
        print("remote write restart: receiver \(receiver.baseURL), siskin \(siskin.baseURL), window \(window) at \(PromServer.format(time)); "
            + "queued before the crash \(queuedBeforeCrash) samples; \(rows.filter { $0.problem == nil }.count)/\(rows.count) ok")
        Compare.report(rows, left: "siskin", right: "receiver")
        if FidelityEnvironment.verbose || rows.contains(where: { $0.problem != nil }) {
            print(try await Self.slotDifferences(siskin: siskin, receiver: receiver, from: siskinStart.timeIntervalSince1970 - 30, to: time))
        }
        #expect(queuedBeforeCrash > 0, "the queue held nothing when siskin was killed: the test proves nothing")
        let restartLog = restarted.log
        #expect(restartLog.contains("remote write queue restored from disk"), "\(restartLog.suffix(2000))")
        #expect(restartLog.contains("running totals restored"), "\(restartLog.suffix(2000))")
        #expect(resets.isSuccess && resets.series.first?.points.first?.value == 0, "counter resets on the receiver: \(resets)")
        for line in metrics.split(separator: "\n") where line.hasPrefix("siskin_remote_write_samples_dropped_total{")
            || line.hasPrefix("siskin_remote_write_samples_failed_total{") {
            #expect(line.hasSuffix(" 0"), "\(line)")
        }
    }

    /// Per pod and code, the seconds whose increase differs between siskin (its
    /// `increase([1s])`) and the receiver (differences of the exported totals): where to
    /// look when the totals disagree.
    static func slotDifferences(siskin: PromServer, receiver: PromServer, from: Double, to: Double) async throws -> String {
        let selector = "istio_requests_total{reporter=\"destination\"}"
        let truth = try await siskin.queryRange("sum by (pod, response_code) (increase(\(selector)[1s]))", start: from, end: to, step: 1)
        let exported = try await receiver.queryRange("sum by (pod, response_code) (\(selector))", start: from, end: to, step: 1)
        var lines: [String] = []
        for series in exported.series {
            guard let reference = truth.series.first(where: { $0.labels == series.labels }) else { continue }
            let last = series.points.last?.value ?? 0
            let sum = reference.points.reduce(0) { $0 + $1.value }
            if abs(last - sum) > 1e-3 {
                let early = reference.points.filter { $0.value != 0 }.prefix(4).map { "\(PromServer.format($0.time))=\($0.value)" }
                let raw = series.points.filter { $0.value != 0 }.prefix(4).map { "\(PromServer.format($0.time))=\($0.value)" }
                lines.append("\(series.labels): receiver ends at \(last), siskin's slots sum to \(sum); siskin first \(early); receiver first \(raw); receiver points from \(series.points.first.map { PromServer.format($0.time) } ?? "-")")
            }
        }
        for reference in truth.series where !exported.series.contains(where: { $0.labels == reference.labels }) {
            let nonzero = reference.points.filter { $0.value != 0 }.prefix(5).map { "\(PromServer.format($0.time))=\($0.value)" }
            lines.append("\(reference.labels) missing on the receiver; siskin's increases: \(nonzero)")
        }
        for series in exported.series {
            if let first = series.points.first, first.value != 0 {
                lines.append("\(series.labels) starts at \(first.value) at \(PromServer.format(first.time)) on the receiver")
            }
            guard let reference = truth.series.first(where: { $0.labels == series.labels }) else { continue }
            let slots = Dictionary(reference.points.map { ($0.time, $0.value) }, uniquingKeysWith: +)
            for (previous, point) in zip(series.points, series.points.dropFirst()) where point.time - previous.time == 1 {
                let expected = slots[point.time] ?? 0
                if abs(point.value - previous.value - expected) > 1e-3 {
                    lines.append("\(series.labels) at \(PromServer.format(point.time)): siskin \(expected), receiver \(point.value - previous.value)")
                }
            }
        }
        return "slot differences:\n" + lines.prefix(40).joined(separator: "\n")
    }

    /// A metric of `server`'s `/metrics`, summed over its label sets; nil when absent.
    static func metric(_ name: String, _ server: PromServer) async throws -> Double? {
        let text = try await LoopbackHTTP.get(server.baseURL + "/metrics", timeout: 5).text
        let values = text.split(separator: "\n").filter { $0.hasPrefix(name + "{") || $0.hasPrefix(name + " ") }
            .compactMap { $0.split(separator: " ").last.flatMap { Double($0) } }
        return values.isEmpty ? nil : values.reduce(0, +)
    }
}
