import Foundation
import SiskinQuery
import SiskinSimulator
import SiskinTesting

/// The fault-injection tests' world: a simulated canary mesh (`FakeMesh`,
/// podinfo-primary, podinfo-canary and a load generator), one real
/// `siskin-agent` process per pod pushing to every URL given, and the
/// simulator's ground truth to check the aggregators against.
final class MeshAgents {
    let mesh: FakeMesh
    let scale: FaultScale
    let directory: String
    var pushURLs: [String]
    private(set) var agents: [String: Process] = [:]
    private var starts = 0

    /// The workloads that receive requests (what `reporter="destination"` counts).
    static let destinationWorkloads = ["podinfo-primary", "podinfo-canary"]

    init(directory: String, pushURLs: [String], scale: FaultScale = .current, seed: UInt64 = 9) throws {
        self.directory = directory
        self.pushURLs = pushURLs
        self.scale = scale
        let topology = MeshTopology.canaryRollout(primaryPods: scale.primaryPods, requestsPerSecond: 200, canaryWeight: 0.2)
        // Truth is read from the live fleet, not from history: keep little.
        mesh = try FakeMesh(fleet: Fleet(topology: topology, seed: seed), truthRetention: 16)
    }

    deinit { stopAll() }

    var pods: [String] { mesh.endpoints.map(\.pod) }

    /// Starts an agent for every pod (or only `pod`); `maxBackoff` overrides the scale's.
    func start(pod only: String? = nil, maxBackoff: Double? = nil) throws {
        for endpoint in mesh.endpoints where only == nil || endpoint.pod == only {
            starts += 1
            let name = "agent-\(endpoint.pod)-\(starts)"
            var arguments = [
                "run", "--scrape-url", endpoint.scrapeURL, "--interval", FaultScale.flag(scale.interval),
                "--timeout", FaultScale.flag(scale.timeout), "--max-backoff", FaultScale.flag(maxBackoff ?? scale.maxBackoff),
                "--pod", endpoint.pod, "--namespace", endpoint.namespace, "--status-file", "\(directory)/\(name).status",
                "--shutdown-grace", "1s",
            ]
            for url in pushURLs { arguments += ["--push-url", url] }
            agents[endpoint.pod] = try BuiltExecutable.start(
                "siskin-agent", arguments, stdout: "\(directory)/\(name).out", stderr: "\(directory)/\(name).err")
        }
    }

    /// `kill -9` of one pod's agent: no final push.
    func kill(pod: String) {
        guard let agent = agents.removeValue(forKey: pod) else { return }
        Foundation.kill(agent.processIdentifier, SIGKILL)
        agent.waitUntilExit()
    }

    /// SIGTERM every agent (a final push each), SIGKILL what is left after 5 s.
    func stopAll() {
        let running = agents.values
        agents = [:]
        for agent in running where agent.isRunning { agent.terminate() }
        let deadline = Date().addingTimeInterval(5)
        for agent in running {
            while agent.isRunning, Date() < deadline { usleep(20_000) }
            if agent.isRunning { Foundation.kill(agent.processIdentifier, SIGKILL) }
            agent.waitUntilExit()
        }
        mesh.stop()
    }

    /// The mesh's traffic, the simulated clock following the wall clock.
    func startTraffic() throws { try mesh.startClock(tick: 0.1) }

    /// Holds traffic: from here on the ground truth does not move.
    func holdTraffic() { mesh.isPaused = true }

    /// Requests each destination workload has served since the mesh started (ground truth).
    func truth() -> [String: Double] {
        let fleet = mesh.fleet
        var out: [String: Double] = [:]
        for workload in Self.destinationWorkloads {
            out[workload] = Double(fleet.requests(matching: ["reporter": "destination", "destination_workload": workload]))
        }
        return out
    }

    /// Requests each destination workload served since `before` (a `truth()`).
    func served(since before: [String: Double]) -> [String: Double] {
        Dictionary(uniqueKeysWithValues: truth().map { ($0.key, $0.value - before[$0.key, default: 0]) })
    }

    // MARK: Reading an aggregator

    /// Requests per destination workload that `baseURL` holds over the
    /// `window` ending at `time` (Unix seconds; now when nil).
    static func stored(_ baseURL: String, window: String, time: Double? = nil) async throws -> [String: Double] {
        var out: [String: Double] = [:]
        let at = time.map { "&time=\($0)" } ?? ""
        for workload in destinationWorkloads {
            let reply = try await LoopbackHTTP.get(baseURL + "/api/v1/siskin/workload?namespace=test&workload=\(workload)&window=\(window)\(at)")
            guard reply.status == 200 else { throw Unexpected(what: "workload query: HTTP \(reply.status) \(reply.text)") }
            out[workload] = try JSONDecoder().decode(WorkloadReport.self, from: Data(reply.body)).requests
        }
        return out
    }

    /// Pods `baseURL` has a baseline for.
    static func podCount(_ baseURL: String) async -> Int {
        guard let reply = try? await LoopbackHTTP.get(baseURL + "/api/v1/siskin/workloads"), reply.status == 200,
              let inventory = try? JSONDecoder().decode(Inventory.self, from: Data(reply.body))
        else { return -1 }
        return inventory.pods.count
    }

    /// Waits until every pod's agent has pushed its baseline to `baseURL`.
    func waitForBaselines(_ baseURL: String) async -> Bool {
        let expected = pods.count
        return await waitUntilAsync(timeout: 30 + scale.settle) { await Self.podCount(baseURL) == expected }
    }

    /// Waits until `baseURL` holds exactly `expected` (whole requests: slots
    /// hold 32-bit floats, so a window sum may be off in the 7th digit; a lost
    /// or doubled push is off by a whole interval of traffic). Returns the
    /// last answer read.
    func waitForTotals(_ baseURL: String, _ expected: [String: Double], window: String) async -> [String: Double] {
        var last: [String: Double] = [:]
        _ = await waitUntilAsync(timeout: scale.settle) {
            last = (try? await Self.stored(baseURL, window: window)) ?? [:]
            return Self.matches(last, expected)
        }
        return last
    }

    static func matches(_ stored: [String: Double], _ expected: [String: Double]) -> Bool {
        expected.allSatisfy { workload, value in stored[workload].map { abs($0 - value) < 0.5 } ?? false }
    }

    /// A window covering everything since `start`.
    static func window(since start: Date) -> String {
        "\(Int(Date().timeIntervalSince(start)) + 60)s"
    }

    /// What the agent of `pod` logged, every start of it.
    func agentLog(pod: String) -> String {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.filter { $0.hasPrefix("agent-\(pod)-") && $0.hasSuffix(".err") }.sorted()
            .map { (try? String(contentsOfFile: "\(directory)/\($0)", encoding: .utf8)) ?? "" }.joined()
    }

    struct Unexpected: Error, CustomStringConvertible {
        var what: String
        var description: String { what }
    }
}

/// Sleeps `seconds` without holding a cooperative thread hostage.
func sleepSeconds(_ seconds: Double) async throws {
    try await Task.sleep(for: .milliseconds(Int(seconds * 1000)))
}
