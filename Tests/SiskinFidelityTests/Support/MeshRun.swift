import Foundation
import SiskinSimulator
import SiskinTesting

/// The canary mesh of the fidelity suite (podinfo-primary: 2 pods, canary: 1 pod, called
/// by `loadgenerator` at 300 rps, 30 % to the canary), with a scratch directory and the
/// children of one test, for the suites that run `siskin serve` as a process.
final class MeshRun: @unchecked Sendable {
    static let namespace = "test"
    static let service = "podinfo"
    static let primary = "podinfo-primary"
    static let canary = "podinfo-canary"

    let directory: String
    let children = ChildProcesses()
    let mesh: FakeMesh
    let tokenFile: String

    init() throws {
        directory = try BuiltExecutable.temporaryDirectory()
        let topology = MeshTopology.canaryRollout(
            namespace: Self.namespace, service: Self.service, primaryPods: 2, canaryPods: 1,
            sources: ["loadgenerator"], idleSources: ["storefront"], requestsPerSecond: 300, canaryWeight: 0.3)
        mesh = try FakeMesh(fleet: Fleet(topology: topology, seed: 42))
        tokenFile = try SiskinRig.writeToken(directory: directory)
    }

    var primaryPods: [String] { mesh.endpoints.filter { $0.workload == Self.primary }.map(\.pod) }
    var allPods: Set<String> { Set(mesh.endpoints.map(\.pod)) }

    /// `storefront` starts calling podinfo at `rate` requests per second (30 % to the canary).
    func startNewSource(rate: Double) {
        mesh.setRequestsPerSecond(rate * 0.7, from: "storefront", to: Self.primary)
        mesh.setRequestsPerSecond(rate * 0.3, from: "storefront", to: Self.canary)
    }

    /// Waits until every server has a push from every pod.
    func waitForPods(_ servers: [PromServer], timeout: Double = 30) async -> Bool {
        await waitUntilAsync(timeout: timeout) {
            for server in servers where await SiskinRig.knownPods(server) != self.allPods { return false }
            return true
        }
    }

    /// Waits until `server` has accepted a push from every pod since `since`.
    func waitForPushes(_ server: PromServer, since: Date, timeout: Double = 30) async -> Bool {
        await waitUntilAsync(timeout: timeout) {
            let ages = await SiskinRig.pushAges(server)
            let elapsed = Date().timeIntervalSince(since)
            return self.allPods.allSatisfy { pod in ages[pod].map { $0 < elapsed } ?? false }
        }
    }

    func finish() {
        children.stopAll()
        mesh.stop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Flagger's two builtin checks for both workloads, plus request rates per workload and
    /// per primary pod (what prometheus-adapter asks for the HPA), over `[1m]`.
    static func flaggerAndRateQueries(primaryPods: [String]) -> [BatteryQuery] {
        var queries: [BatteryQuery] = []
        for target in [primary, canary] {
            queries.append(BatteryQuery(
                name: "flagger success rate \(target)",
                query: Battery.flaggerSuccessRate(namespace: namespace, target: target, interval: "1m"),
                tolerance: .percentagePoints(0.2), expectation: .series(1)))
            queries.append(BatteryQuery(
                name: "flagger p99 \(target)",
                query: Battery.flaggerRequestDuration(namespace: namespace, target: target, interval: "1m"),
                tolerance: .quantile(0.05), expectation: .series(1)))
        }
        queries.append(BatteryQuery(
            name: "request rate by workload",
            query: "sum(rate(istio_requests_total{reporter=\"destination\",destination_workload_namespace=\"\(namespace)\"}[1m])) by (destination_workload)",
            tolerance: .relative(0.02), expectation: .series(2)))
        queries.append(BatteryQuery(
            name: "latency count rate by workload",
            query: "sum(rate(istio_request_duration_milliseconds_count{reporter=\"destination\"}[1m])) by (destination_workload)",
            tolerance: .relative(0.02), expectation: .series(2)))
        queries.append(BatteryQuery(
            name: "pod rate [1m] (prometheus-adapter)",
            query: "sum(rate(istio_requests_total{namespace=\"\(namespace)\",pod=~\"\(primaryPods.joined(separator: "|"))\",reporter=\"destination\"}[1m])) by (pod)",
            kind: .instant(post: true), tolerance: .relative(0.02), expectation: .series(primaryPods.count)))
        return queries
    }

    /// Asks `reference` and `other` every query at `time`; returns the comparison rows
    /// (the reference must answer what the query expects, or the comparison means nothing).
    static func compare(
        _ queries: [BatteryQuery], reference: PromServer, other: PromServer, at time: Double
    ) async throws -> [ComparisonRow] {
        var rows: [ComparisonRow] = []
        for query in queries {
            let expected = try await FidelityTests.ask(reference, query, at: time)
            rows += FidelityTests.expectation(query, expected).filter { $0.problem != nil }
            let answer = try await FidelityTests.ask(other, query, at: time)
            rows += Compare.answers(query.name, prometheus: expected, siskin: answer, tolerance: query.tolerance)
        }
        return rows
    }
}
