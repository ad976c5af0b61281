import Foundation
import SiskinTesting
import Testing

/// "Aggregator `kill -9` mid-ingest and restart from `--data-dir` → query
/// answers equal an uninterrupted run, within one push per pod." The
/// uninterrupted run is a second `siskin serve` fed by the same agents
/// (each agent pushes to both, as with two HA replicas).
@Suite("Faults: aggregator kill -9 mid-ingest")
struct AggregatorKillTests {
    @Test("killed with -9 while agents push and restarted from its data directory, it answers as an uninterrupted replica")
    func killedMidIngest() async throws {
        let scale = FaultScale.current
        let directory = try BuiltExecutable.temporaryDirectory()
        defer { FaultScale.remove(directory) }
        // No periodic snapshot on the server that is killed: everything it
        // took since it started must come back from its push log (a snapshot
        // just before the kill would leave nothing to replay, and under load
        // pushes can pause for longer than the scaled snapshot interval).
        let killedArguments = scale.serveArguments + ["--snapshot-interval", "1h"]
        var killed = try await ServeProcess.start(dataDirectory: directory + "/killed", arguments: killedArguments)
        let port = killed.port
        let reference = try await ServeProcess.start(dataDirectory: directory + "/reference", arguments: scale.serveArguments)
        let rig = try MeshAgents(directory: directory, pushURLs: [killed.baseURL, reference.baseURL], scale: scale)
        defer { rig.stopAll(); killed.stop(); reference.stop() }
        try rig.start()
        #expect(await rig.waitForBaselines(killed.baseURL))
        #expect(await rig.waitForBaselines(reference.baseURL))
        let before = rig.truth()
        let started = Date()
        try rig.startTraffic()
        try await sleepSeconds(max(3, 15 * scale.interval))

        // Every agent pushes every interval: the kill lands between, or in
        // the middle of, pushes being received, decoded, applied and logged.
        let accepted = try await Self.acceptedPushes(killed.baseURL)
        let killedAt = Date().timeIntervalSince1970
        killed.kill()
        killed = try await ServeProcess.start(dataDirectory: directory + "/killed", arguments: killedArguments, port: port)
        try await sleepSeconds(max(3, 15 * scale.interval))
        rig.holdTraffic()
        let served = rig.served(since: before)
        #expect(accepted >= 2 * rig.pods.count, "pushes were flowing when it was killed: \(accepted)")
        #expect(killed.log.range(of: #"replayed [1-9][0-9]* records"#, options: .regularExpression) != nil,
                "the restart replayed its log: \(killed.log)")

        // Totals: both exactly the ground truth.
        let window = MeshAgents.window(since: started)
        let restarted = await rig.waitForTotals(killed.baseURL, served, window: window)
        #expect(MeshAgents.matches(restarted, served), "restarted: \(restarted), Envoys served \(served)")
        let uninterrupted = await rig.waitForTotals(reference.baseURL, served, window: window)
        #expect(MeshAgents.matches(uninterrupted, served), "uninterrupted: \(uninterrupted), Envoys served \(served)")

        // Windows ending before, at and after the kill: the same answers
        // within one push per pod (what was in flight when it died is
        // covered by the next cumulative push, spread over a longer interval).
        let elapsed = Date().timeIntervalSince(started)
        let perSecond = served.values.reduce(0, +) / elapsed
        let onePushPerPod = perSecond * scale.interval
        let span = max(2, 10 * scale.interval)
        var largest = 0.0
        for offset in [-2 * span, -span, 0, span, 2 * span] {
            let time = killedAt + offset
            let a = try await MeshAgents.stored(killed.baseURL, window: FaultScale.flag(span), time: time)
            let b = try await MeshAgents.stored(reference.baseURL, window: FaultScale.flag(span), time: time)
            for workload in MeshAgents.destinationWorkloads {
                let difference = abs(a[workload, default: 0] - b[workload, default: 0])
                largest = max(largest, difference)
                #expect(difference <= onePushPerPod,
                        "\(workload), \(span) s window ending \(offset) s from the kill: \(a[workload, default: 0]) after kill -9, \(b[workload, default: 0]) uninterrupted; one push per pod is \(onePushPerPod)")
            }
        }
        FaultScale.report("aggregator kill -9", "served \(Int(served.values.reduce(0, +))), restarted and uninterrupted replicas each hold it exactly; \(Int(span)) s windows around the kill differ by at most \(String(format: "%.1f", largest)) requests (one push per pod: \(String(format: "%.1f", onePushPerPod)))")
    }

    static func acceptedPushes(_ baseURL: String) async throws -> Int {
        let metrics = try await LoopbackHTTP.get(baseURL + "/metrics").text
        let line = metrics.split(separator: "\n").first { $0.hasPrefix("siskin_pushes_accepted_total ") }
        return line.flatMap { Double($0.split(separator: " ").last ?? "") }.map { Int($0) } ?? 0
    }
}
