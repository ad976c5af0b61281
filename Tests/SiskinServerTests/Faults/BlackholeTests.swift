import Foundation
import SiskinTesting
import Testing

/// "A blackhole between agent and aggregator (a proxy that accepts and
/// stalls) → the agent times out, backs off, recovers." The proxy accepts
/// every connection and reads every byte but never answers, then forwards
/// again; the agent must give up on each push after `--timeout`, wait longer
/// and longer between attempts, and count exactly once it gets through.
@Suite("Faults: blackhole between agent and aggregator")
struct BlackholeTests {
    @Test("a stalled connection times out after --timeout, retries back off, and totals are exact after recovery")
    func blackhole() async throws {
        let scale = FaultScale.current
        let directory = try BuiltExecutable.temporaryDirectory()
        defer { FaultScale.remove(directory) }
        // The blackhole outlasts the scaled --stale-after (to be long enough
        // to tell backoff from none): this test is not about staleness. A
        // partition longer than --stale-after does lose the pod's traffic
        // over it (docs/aggregator.md, Store).
        let server = try await ServeProcess.start(dataDirectory: directory + "/data",
                                      arguments: scale.serveArguments(staleAfter: max(scale.staleAfter, 300)))
        let proxy = try StallingProxy(upstreamPort: server.port)
        let rig = try MeshAgents(directory: directory, pushURLs: [proxy.baseURL], scale: scale)
        defer { rig.stopAll(); proxy.stop(); server.stop() }
        // One agent, so every connection the proxy sees is its own. Its
        // backoff may grow to 10 s at least (12× its scaled timeout; 15× in
        // production), so backing off is told apart from retrying at once.
        let pod = try #require(rig.mesh.endpoints.first { $0.workload == "podinfo-canary" }?.pod)
        try rig.start(pod: pod, maxBackoff: max(scale.maxBackoff, 10))
        #expect(await waitUntilAsync(timeout: 30) { await MeshAgents.podCount(server.baseURL) == 1 })
        let before = rig.truth()["podinfo-canary", default: 0]
        let started = Date()
        try rig.startTraffic()
        try await sleepSeconds(max(1, 5 * scale.interval))

        proxy.mode = .blackhole
        let blackholeStarted = ContinuousClock.now
        let duration = max(15, scale.seconds(120))
        try await sleepSeconds(duration)
        let stalled = proxy.connections.filter(\.stalled)
        proxy.mode = .forward
        let blackholeSeconds = Self.seconds(ContinuousClock.now - blackholeStarted)
        let log = { rig.agentLog(pod: pod) }
        #expect(await waitUntilAsync(timeout: scale.settle) { log().contains("reachable again") }, "the agent recovered: \(log())")
        rig.holdTraffic()

        // Timed out: every connection accepted in the blackhole was given up
        // after about --timeout, not held open, and not dropped early.
        #expect(log().contains("not reachable; retrying"))
        #expect(log().contains("timed out") || log().contains("Timeout was reached"), "a timeout was logged: \(log())")
        #expect(stalled.count >= 2, "attempts in the blackhole: \(stalled.count)")
        for connection in stalled {
            guard let closed = connection.closed else { continue }  // the one open when forwarding resumed
            let held = Self.seconds(closed - connection.opened)
            #expect(held >= scale.timeout * 0.8 && held <= scale.timeout + 5, "held \(held) s with --timeout \(scale.timeout) s")
        }
        // Backed off: retrying right after each timeout would have made
        // duration / timeout attempts; exponential backoff with full jitter
        // makes a handful.
        let withoutBackoff = blackholeSeconds / scale.timeout
        #expect(Double(stalled.count) < withoutBackoff / 2,
                "\(stalled.count) attempts in \(duration) s with --timeout \(scale.timeout) s")

        // Recovered: nothing lost, nothing doubled.
        let served = ["podinfo-canary": rig.truth()["podinfo-canary", default: 0] - before]
        #expect(served["podinfo-canary", default: 0] > 0)
        let window = MeshAgents.window(since: started)
        var stored: [String: Double] = [:]
        _ = await waitUntilAsync(timeout: scale.settle) {
            stored = (try? await MeshAgents.stored(server.baseURL, window: window)) ?? [:]
            return MeshAgents.matches(stored, served)
        }
        #expect(MeshAgents.matches(stored, served), "stored \(stored), Envoy served \(served)")
        let held = stalled.compactMap { c in c.closed.map { Self.seconds($0 - c.opened) } }
        FaultScale.report("blackhole", "\(String(format: "%.0f", blackholeSeconds)) s blackhole: \(stalled.count) attempts (\(Int(withoutBackoff)) without backoff), each held \(String(format: "%.2f", held.min() ?? 0))–\(String(format: "%.2f", held.max() ?? 0)) s (--timeout \(scale.timeout) s); after recovery served \(Int(served["podinfo-canary", default: 0])), stored \(String(format: "%.2f", stored["podinfo-canary", default: 0]))")
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
    }
}
