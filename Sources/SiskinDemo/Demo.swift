import Foundation
import Logging
import SiskinAggregation
import SiskinIngest
import SiskinServer
import SiskinSimulator
import SiskinStore

/// `siskin demo`: the whole loop on one machine. `siskin serve` in-process with
/// a temporary data directory, fake Envoy sidecars for a primary, a canary and
/// a load generator, one real agent per pod over loopback, and a Flagger-style
/// progressive rollout that asks the Prometheus API and Siskin's judge webhook,
/// over HTTP, whether to advance, exactly as Flagger would.
public enum Demo {
    /// Why the demo could not run (not a rollback: that is a result).
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// Runs the demo, writing the live view to `output` line by line, and
    /// returns how the rollout ended.
    public static func run(_ options: DemoOptions, output: @escaping @Sendable (String) -> Void) async throws -> DemoResult {
        let problems = options.problems
        guard problems.isEmpty else { throw Failure(description: problems.joined(separator: "; ")) }
        var logger = Logger(label: "siskin-demo")
        logger.logLevel = options.logLevel

        // State: a data directory and a token file, as a real deployment has.
        let kept = options.dataDirectory != nil
        let directory = options.dataDirectory
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("siskin-demo-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { if !kept { try? FileManager.default.removeItem(atPath: directory) } }
        let token = UUID().uuidString + UUID().uuidString
        let tokenFile = directory + "/agent-token"
        guard FileManager.default.createFile(atPath: tokenFile, contents: Data(token.utf8),
                                             attributes: [.posixPermissions: 0o600]) else {
            throw Failure(description: "cannot write \(tokenFile)")
        }

        let slot = Int64((options.agentIntervalSeconds * 1000).rounded())
        let store = StoreConfiguration(slotMilliseconds: slot, rollupSlotMilliseconds: max(slot, 30_000))
        let database = try Database(configuration: store, dataDirectory: directory + "/data")
        let server = try await DemoServer.start(
            configuration: ServerConfiguration(host: options.listenHost, port: options.listenPort,
                                               tokens: BearerTokens(tokens: [token]), store: store,
                                               snapshotIntervalSeconds: 10),
            database: database, logger: logger)

        let mesh: FakeMesh
        do {
            let topology = MeshTopology.canaryRollout(
                namespace: options.namespace, service: options.service, canaryName: options.canary,
                primaryPods: options.primaryPods, canaryPods: options.canaryPods, sources: [DemoOptions.loadGenerator],
                requestsPerSecond: options.scenario.requestsPerSecond, canaryWeight: 0,
                primary: options.scenario.primary, canary: options.scenario.canary)
            mesh = try FakeMesh(fleet: Fleet(topology: topology, seed: options.seed), truthRetention: 8)
            try mesh.startClock(tick: 0.1)
        } catch {
            await server.stop()
            throw Failure(description: "cannot start the simulated mesh: \(error)")
        }

        let agents = DemoAgents(mesh.endpoints.map { endpoint in
            DemoAgents.configuration(
                pod: endpoint.pod, namespace: endpoint.namespace, scrapeURL: endpoint.scrapeURL,
                pushURL: server.baseURL, tokenFile: tokenFile,
                podLabels: [Label("app", endpoint.workload)],
                intervalSeconds: options.agentIntervalSeconds)
        }, logLevel: options.logLevel)

        let view = ProgressView(output: output)
        view.header(options, serverURL: server.baseURL, dataDirectory: directory, kept: kept, agents: agents.count)
        let baseURL = server.baseURL
        let outcome: Result<DemoResult, Failure> = await Self.offThePool {
            do {
                let client = try FlaggerClient(baseURL: baseURL)
                return .success(RolloutDriver(options: options, client: client, mesh: mesh, view: view).run())
            } catch {
                return .failure(Failure(description: "cannot create an HTTP client: \(error)"))
            }
        }

        if case .success(let result) = outcome {
            view.result(result, options: options)
            if options.lingerSeconds > 0, !result.interrupted {
                view.linger(options, serverURL: baseURL)
                await linger(options)
            }
        }
        agents.stop(timeout: 5)
        await server.stop()
        mesh.stop()
        return try outcome.get()
    }

    /// Keeps everything running for `lingerSeconds`, or until interrupted.
    static func linger(_ options: DemoOptions) async {
        let end = Date().addingTimeInterval(options.lingerSeconds)
        while Date() < end, !options.interrupted() {
            try? await Task.sleep(for: .milliseconds(100))
        }
    }

    /// Runs blocking work (libcurl, sleeps) on its own thread, never on Swift
    /// concurrency's few cooperative threads, which the in-process server needs.
    static func offThePool<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: body()) }.start()
        }
    }
}
