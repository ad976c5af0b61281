import Foundation
import SiskinTesting
import Testing

/// "Aggregator down for 10 minutes → afterwards, total increases equal the
/// fake Envoys' ground truth exactly." The outage is twice `--stale-after`
/// and many times the agents' longest backoff, scaled down together
/// (`FaultScale`): 24 s in CI, a real 10 minutes with `scripts/faults --long`.
@Suite("Faults: aggregator down for 10 minutes")
struct AggregatorOutageTests {
    @Test("after the aggregator was down for twice --stale-after, totals equal the Envoys' ground truth exactly")
    func outage() async throws {
        let scale = FaultScale.current
        let directory = try BuiltExecutable.temporaryDirectory()
        defer { FaultScale.remove(directory) }
        var server = try await ServeProcess.start(dataDirectory: directory + "/data", arguments: scale.serveArguments)
        let port = server.port
        let rig = try MeshAgents(directory: directory, pushURLs: [server.baseURL], scale: scale)
        defer { rig.stopAll(); server.stop() }
        try rig.start()
        #expect(await rig.waitForBaselines(server.baseURL), "every pod's baseline: \(server.log)")
        let before = rig.truth()
        let started = Date()
        try rig.startTraffic()
        try await sleepSeconds(max(2, 10 * scale.interval))

        // Down: stopped as a rollout or a node drain stops it; traffic goes on.
        server.stop()
        let outage = scale.seconds(600)
        try await sleepSeconds(outage)
        server = try await ServeProcess.start(dataDirectory: directory + "/data", arguments: scale.serveArguments, port: port)
        try await sleepSeconds(max(2, 10 * scale.interval))
        rig.holdTraffic()

        let served = rig.served(since: before)
        #expect(served.values.allSatisfy { $0 > 0 }, "traffic flowed: \(served)")
        let stored = await rig.waitForTotals(server.baseURL, served, window: MeshAgents.window(since: started))
        #expect(MeshAgents.matches(stored, served), "outage \(outage) s: stored \(stored), Envoys served \(served)\n\(server.log)")
        FaultScale.report("aggregator down", "outage \(Int(outage)) s (--stale-after \(Int(scale.staleAfter)) s); served \(served.sorted { $0.key < $1.key }.map { "\($0.key) \(Int($0.value))" }.joined(separator: ", ")); stored \(stored.sorted { $0.key < $1.key }.map { "\($0.key) \(String(format: "%.2f", $0.value))" }.joined(separator: ", "))")
        #expect(await MeshAgents.podCount(server.baseURL) == rig.pods.count)
    }
}
