import Foundation
import SiskinTesting
import Testing

/// Remote write proven against a real Prometheus: `siskin serve --remote-write` exports to
/// Prometheus' remote-write receiver while agents push the simulated mesh to siskin; then
/// the receiving Prometheus, holding nothing but what siskin exported, must answer
/// Flagger's builtin checks, request rates and the HPA's per-pod rate as siskin does
/// (the fidelity suite's tolerances).
@Suite("Remote write: a real Prometheus fed only by siskin's export answers as siskin does", .serialized)
struct RemoteWriteTests {
    @Test(
        "Flagger's checks, rates and per-pod rates on the receiving Prometheus match siskin",
        .enabled(if: FidelityEnvironment.prometheusInstalled || FidelityEnvironment.underCI,
                 "needs Prometheus (apt-get install prometheus); under CI=true its absence fails"),
        .scaledTimeLimit(minutes: 5))
    func receiverAnswersAsSiskin() async throws {
        guard FidelityEnvironment.prometheusInstalled else {
            Issue.record("CI=true, but \(FidelityEnvironment.prometheusPath) is missing")
            return
        }
        let run = try MeshRun()
        defer { run.finish() }
        let receiver = try await PrometheusRig.startReceiver(directory: run.directory, children: run.children)
        let siskin = try await SiskinRig.startServer(
            directory: run.directory, tokenFile: run.tokenFile, children: run.children,
            extraArguments: [
                "--remote-write", receiver.baseURL + "/api/v1/write", "--remote-write-label", "cluster=fidelity",
                "--remote-write-interval", "1s",
                "--remote-write-shards", "2", "--remote-write-max-samples-per-send", "500",
            ])
        try SiskinRig.startAgents(
            for: run.mesh.endpoints, server: siskin, tokenFile: run.tokenFile, directory: run.directory, children: run.children)
        try #require(await run.waitForPods([siskin]), "siskin did not see every pod\n\(run.children.logs())")

        try run.mesh.startClock(tick: 0.1)
        let trafficStart = Date()
        // A source appearing mid-export: its series start at 0 on the receiver.
        try await sleep(until: trafficStart.addingTimeInterval(25))
        run.startNewSource(rate: 100)
        try await sleep(until: trafficStart.addingTimeInterval(75))
        try FidelityTests.requireAllRunning(run.children, "during the traffic")

        // Asked 6 s in the past: siskin's slots are complete behind its watermark (~1-2 s),
        // and exported and ingested by the receiver.
        let time = (Date().timeIntervalSince1970 - 6).rounded(.down)
        let queries = MeshRun.flaggerAndRateQueries(primaryPods: run.primaryPods)
        let rows = try await MeshRun.compare(queries, reference: siskin, other: receiver, at: time)

        // The receiver holds siskin's series with the external label, per pod only for
        // istio_requests_total (level both), histograms as workload rollups.
        let perPod = try await receiver.series("istio_requests_total{cluster=\"fidelity\",pod!=\"\"}", start: time - 60, end: time)
        let rollupHistograms = try await receiver.series("istio_request_duration_milliseconds_count{cluster=\"fidelity\"}", start: time - 60, end: time)
        let metrics = try await LoopbackHTTP.get(siskin.baseURL + "/metrics").text
        func metric(_ name: String) -> Double? {
            metrics.split(separator: "\n").first { $0.hasPrefix(name + "{") || $0.hasPrefix(name + " ") }
                .flatMap { $0.split(separator: " ").last }.flatMap { Double($0) }
        }
        print("remote write: receiver \(receiver.baseURL), siskin \(siskin.baseURL), evaluated at \(PromServer.format(time)); "
            + "\(rows.filter { $0.problem == nil }.count)/\(rows.count) ok; sent \(metric("siskin_remote_write_samples_sent_total") ?? -1) samples, "
            + "\(metric("siskin_remote_write_sent_bytes_total") ?? -1) bytes")
        Compare.report(rows, left: "siskin", right: "receiver")
        #expect(perPod.isSuccess && Set(perPod.series.compactMap { $0.labels["pod"] }) == run.allPods)
        #expect(rollupHistograms.isSuccess && !rollupHistograms.series.isEmpty
            && rollupHistograms.series.allSatisfy { $0.labels["pod"] == nil })
        #expect((metric("siskin_remote_write_samples_sent_total") ?? 0) > 0)
        #expect(metric("siskin_remote_write_samples_failed_total") == 0)
        #expect(metric("siskin_remote_write_samples_dropped_total") == 0)
        let lag = try #require(metric("siskin_remote_write_lag_seconds"))
        #expect(lag < 10)
    }
}
