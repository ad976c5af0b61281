import Foundation
import SiskinSimulator
import Testing

@Suite("Canary rollout scenario and changing rates")
struct CanaryRolloutTests {
    static func rollout() -> MeshTopology {
        .canaryRollout(sources: ["loadgenerator"], idleSources: ["storefront"], requestsPerSecond: 200, canaryWeight: 0.25)
    }

    @Test("primary and canary get the configured share, error share and latency")
    func numbersFollowParameters() {
        var fleet = Fleet(topology: Self.rollout(), seed: 3)
        #expect(Self.rollout().validationErrors.isEmpty)
        #expect(fleet.podNames.count == 5, "loadgenerator, storefront, 2 primary pods, 1 canary pod")
        for _ in 0..<300 { fleet.advance(by: 1) }
        func requests(_ workload: String, _ extra: [String: String] = [:]) -> Double {
            Double(fleet.requests(matching: ["reporter": "destination", "destination_workload": workload].merging(extra) { a, _ in a }))
        }
        let primary = requests("podinfo-primary"), canary = requests("podinfo-canary")
        #expect(abs(primary / 300 - 150) < 3)
        #expect(abs(canary / 300 - 50) < 2)
        let canaryErrors = requests("podinfo-canary", ["response_code": "503"]) + requests("podinfo-canary", ["response_code": "500"])
        #expect(abs(canaryErrors / canary - 0.05) < 0.01)
        let primaryErrors = requests("podinfo-primary", ["response_code": "503"]) + requests("podinfo-primary", ["response_code": "500"])
        #expect(abs(primaryErrors / primary - 0.01) < 0.003)
        // Latency: the share of the primary's requests above 250 ms is what p99 = 170 ms implies.
        let histogram = fleet.histogram(matching: ["reporter": "destination", "destination_workload": "podinfo-primary"])
        let bounds = [0.5, 1, 5, 10, 25, 50, 100, 250]
        let within250 = Double(histogram.cumulativeBucketCounts[bounds.count - 1]) / Double(histogram.count)
        let expected = LogNormalDistribution.latency(medianMs: 20, p99Ms: 170).cdf(250)
        #expect(abs(within250 - expected) < 0.002)
        #expect(requests("podinfo-primary", ["source_workload": "storefront"]) == 0, "idle sources send nothing")
    }

    @Test("an idle source starts sending when its rate is set, deterministically")
    func idleSourceAppears() {
        func run() -> Fleet {
            var fleet = Fleet(topology: Self.rollout(), seed: 9)
            for _ in 0..<10 { fleet.advance(by: 1) }
            #expect(fleet.setRequestsPerSecond(30, from: "storefront", to: "podinfo-primary") == 1)
            #expect(fleet.setRequestsPerSecond(10, from: "storefront", to: "podinfo-canary") == 1)
            for _ in 0..<10 { fleet.advance(by: 1) }
            return fleet
        }
        var fleet = run()
        #expect(fleet.requestsPerSecond(from: "storefront", to: "podinfo-primary") == 30)
        #expect(fleet.requestsPerSecond(from: "loadgenerator", to: "podinfo-canary") == 50)
        #expect(fleet.requestsPerSecond(from: "podinfo-primary", to: "storefront") == nil)
        let fromStorefront = fleet.requests(matching: ["reporter": "destination", "source_workload": "storefront"])
        #expect(fromStorefront > 300 && fromStorefront < 500)
        #expect(fleet.setRequestsPerSecond(5, from: "nobody", to: "podinfo-primary") == 0)
        let again = run()
        for pod in fleet.podNames {
            #expect(fleet.render(pod: pod) == again.render(pod: pod), "same calls, same scrapes: \(pod)")
        }
        // Before it sent anything, the new source printed no Istio series at all.
        var quiet = Fleet(topology: Self.rollout(), seed: 9)
        quiet.advance(by: 5)
        let storefront = quiet.podNames.first { $0.hasPrefix("storefront-") }!
        #expect(quiet.sidecar(pod: storefront)!.liveIstioSeriesCount == 0)
    }
}

@Suite("FakeMesh over loopback")
struct FakeMeshTests {
    static func mesh() throws -> FakeMesh {
        try FakeMesh(fleet: Fleet(topology: CanaryRolloutTests.rollout(), seed: 5))
    }

    @Test("every pod is served on its own port, like FakeEnvoy")
    func servesEveryPod() throws {
        let mesh = try Self.mesh()
        defer { mesh.stop() }
        mesh.advance(by: 2)
        #expect(mesh.endpoints.count == 5)
        #expect(Set(mesh.endpoints.map(\.port)).count == 5)
        for endpoint in mesh.endpoints {
            #expect(endpoint.namespace == "test")
            #expect(endpoint.scrapeURL == "http://127.0.0.1:\(endpoint.port)/stats/prometheus")
            let response = try TestConnection.exchange(port: endpoint.port, "GET /stats/prometheus HTTP/1.1\r\n\r\n")
            #expect(response.status == 200)
            #expect(response.headers["content-type"] == FakeEnvoy.contentType)
            #expect(response.body == mesh.fleet.render(pod: endpoint.pod))
            #expect(mesh.scrapeCount(pod: endpoint.pod) == 1)
        }
        let port = mesh.endpoints[0].port
        #expect(try TestConnection.exchange(port: port, "GET /stats HTTP/1.1\r\n\r\n").status == 404)
        #expect(try TestConnection.exchange(port: port, "POST /stats/prometheus HTTP/1.1\r\n\r\n").status == 405)
        let filtered = try TestConnection.exchange(port: port, "GET /stats/prometheus?filter=envoy_server_uptime HTTP/1.1\r\n\r\n")
        #expect(filtered.text.contains("envoy_server_uptime"))
        #expect(!filtered.text.contains("istio_"))
        mesh.stop()
        #expect(throws: (any Error).self) { try TestConnection(port: port) }
    }

    @Test("a restart resets one pod; the truth keeps counting")
    func restartOnePod() throws {
        let mesh = try Self.mesh()
        defer { mesh.stop() }
        mesh.advance(by: 10)
        let primaries = mesh.endpoints.filter { $0.workload == "podinfo-primary" }.map(\.pod)
        let before = mesh.fleet
        #expect(mesh.restart(pod: primaries[0]))
        #expect(!mesh.restart(pod: "no-such-pod"))
        let after = mesh.fleet
        #expect(after.sidecar(pod: primaries[0])!.liveIstioSeriesCount == 0)
        #expect(after.sidecar(pod: primaries[0])!.requests(scope: .sinceRestart) == 0)
        #expect(after.sidecar(pod: primaries[0])!.requests() == before.sidecar(pod: primaries[0])!.requests())
        #expect(after.sidecar(pod: primaries[1])!.requests(scope: .sinceRestart) == before.sidecar(pod: primaries[1])!.requests())
        let body = String(decoding: mesh.render(pod: primaries[0])!, as: UTF8.self)
        #expect(!body.contains("istio_requests_total{"))
    }

    @Test("the clock advances every pod in real time, pauses, and keeps a truth history")
    func clockAndTruth() async throws {
        let mesh = try Self.mesh()
        defer { mesh.stop() }
        let start = Date().timeIntervalSince1970
        try mesh.startClock(tick: 0.05)
        try await Task.sleep(for: .milliseconds(600))
        mesh.isPaused = true
        let running = Date().timeIntervalSince1970 - start
        try await Task.sleep(for: .milliseconds(100))  // a tick in flight lands
        let pausedTicks = mesh.tickCount
        let pausedFleet = mesh.fleet
        try await Task.sleep(for: .milliseconds(300))
        #expect(mesh.tickCount == pausedTicks, "no traffic while paused")
        #expect(mesh.fleet.clock == pausedFleet.clock)
        mesh.isPaused = false
        try await Task.sleep(for: .milliseconds(300))
        mesh.stopClock()
        let end = Date().timeIntervalSince1970
        // The schedule does not drift: never ahead of the wall clock (a starved clock
        // thread may be behind, and catches up).
        #expect(pausedTicks >= 1 && Double(pausedTicks) <= running / 0.05 + 1)
        #expect(mesh.tickCount > pausedTicks)
        #expect(abs(mesh.fleet.clock - Double(mesh.tickCount) * 0.05) < 1e-9)

        let total = mesh.fleet.requests(matching: ["reporter": "destination"])
        #expect(total > 0)
        #expect(mesh.requests(matching: ["reporter": "destination"], from: start, to: end) == total)
        #expect(mesh.truth(at: start - 3600) == nil, "before the history")
        let middle = try #require(mesh.truth(at: (start + end) / 2))
        #expect(middle.unixSeconds <= (start + end) / 2)
        let firstHalf = try #require(mesh.requests(matching: ["reporter": "destination"], from: start, to: (start + end) / 2))
        #expect(firstHalf < total)
        let pod = mesh.endpoints.first { $0.workload == "podinfo-canary" }!.pod
        let canary = try #require(mesh.requests(matching: ["reporter": "destination"], pod: pod, from: start, to: end))
        #expect(canary == mesh.fleet.sidecar(pod: pod)!.requests(matching: ["reporter": "destination"]))
    }
}
