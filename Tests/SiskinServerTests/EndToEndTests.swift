import Foundation
import SiskinQuery
import SiskinSimulator
import SiskinTesting
import Testing

/// The whole path with real processes: a fake Envoy on loopback, the real
/// `siskin-agent` scraping it with libcurl and pushing to the real
/// `siskin serve`, and the native query API answering with the simulator's
/// ground truth.
@Suite("End to end: Envoy → siskin-agent → siskin serve", .serialized)
struct EndToEndTests {
    func decode<T: Decodable>(_ type: T.Type, _ reply: TestHTTP.Reply) throws -> T {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "+Inf", negativeInfinity: "-Inf", nan: "NaN")
        return try decoder.decode(type, from: Data(reply.bytes))
    }

    func startAgent(envoy: FakeEnvoy, server: ServeProcess, directory: String, name: String) throws -> Process {
        try BuiltExecutable.start("siskin-agent", [
            "run", "--scrape-url", envoy.scrapeURL, "--push-url", server.baseURL, "--interval", "200ms",
            "--timeout", "1s", "--pod", envoy.podName, "--namespace", "test", "--status-file", directory + "/\(name).status",
        ], stdout: directory + "/\(name).out", stderr: directory + "/\(name).err")
    }

    /// Requests the pod served (reporter=destination) that the store holds.
    func storedRequests(_ server: ServeProcess, workload: String) async throws -> Double {
        let reply = try await TestHTTP.get(server.baseURL + "/api/v1/siskin/workload?namespace=test&workload=\(workload)&window=10m")
        #expect(reply.status == 200)
        return try decode(WorkloadReport.self, reply).requests
    }

    @Test("every request Envoy served is counted exactly once, across an Envoy restart and an agent kill -9")
    func exactAcrossRestarts() async throws {
        let directory = try BuiltExecutable.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let envoy = try FakeEnvoy(preset: .small, seed: 7)
        defer { envoy.stop() }
        let server = try await ServeProcess.start(dataDirectory: directory + "/data", arguments: ["--slot", "1s"])
        defer { server.stop() }

        var agent = try startAgent(envoy: envoy, server: server, directory: directory, name: "agent-1")
        // The agent's first push is the baseline: wait for the pod to appear.
        var inventory: Inventory? = nil
        #expect(await waitUntilAsync { inventory = try? await self.inventory(server); return inventory?.pods.count == 1 })
        let workload = try #require(inventory?.pods.first?.workload)
        let truth = { envoy.requests(matching: ["reporter": "destination", "destination_workload": workload]) }
        let baseline = truth()

        for _ in 0..<5 { envoy.advance(by: 1); try await Task.sleep(for: .milliseconds(150)) }
        try await Task.sleep(for: .milliseconds(600))
        // kill -9 the agent; traffic goes on while it is away.
        kill(agent.processIdentifier, SIGKILL)
        agent.waitUntilExit()
        for _ in 0..<3 { envoy.advance(by: 1) }
        agent = try startAgent(envoy: envoy, server: server, directory: directory, name: "agent-2")
        defer { agent.terminate(); agent.waitUntilExit() }
        for _ in 0..<3 { envoy.advance(by: 1); try await Task.sleep(for: .milliseconds(150)) }
        // Envoy restarts under the new agent: its counters start over. First
        // the new agent must have scraped and pushed everything so far: what
        // Envoy served since its last scrape dies with it, for any scraper.
        let servedBeforeRestart = Double(truth() - baseline)
        var storedBeforeRestart = -1.0
        let caughtUp = await waitUntilAsync {
            storedBeforeRestart = (try? await self.storedRequests(server, workload: workload)) ?? -1
            return abs(storedBeforeRestart - servedBeforeRestart) < 0.01
        }
        let debugReply = try await TestHTTP.get(server.baseURL + "/api/v1/siskin/workload?namespace=test&workload=\(workload)&window=10m")
        let debugInventory = try await TestHTTP.get(server.baseURL + "/api/v1/siskin/workloads")
        #expect(caughtUp, "before the restart the store holds \(storedBeforeRestart) requests, Envoy served \(servedBeforeRestart): \(debugReply.body) inventory \(debugInventory.body)")
        envoy.restart()
        for _ in 0..<5 { envoy.advance(by: 1); try await Task.sleep(for: .milliseconds(150)) }

        let expected = Double(truth() - baseline)
        #expect(expected > 0)
        var stored = -1.0
        let settled = await waitUntilAsync {
            stored = (try? await self.storedRequests(server, workload: workload)) ?? -1
            // Slots hold 32-bit floats, so a sum of spread fractions may be off
            // in the 7th digit; a lost or doubled push would be off by whole
            // intervals of traffic.
            return abs(stored - expected) < 0.01
        }
        #expect(settled, "store holds \(stored) requests, Envoy served \(expected) since the baseline")
    }

    func inventory(_ server: ServeProcess) async throws -> Inventory {
        try decode(Inventory.self, try await TestHTTP.get(server.baseURL + "/api/v1/siskin/workloads"))
    }
}

