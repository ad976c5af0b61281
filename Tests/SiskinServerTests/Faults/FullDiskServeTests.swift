import Foundation
import SiskinTesting
import Testing

/// "Data disk full → the aggregator keeps serving from memory, reports not
/// ready for persistence, does not crash; recovers when space returns." The
/// real `siskin serve` on a real full disk (a small tmpfs, see `FillableDisk`).
@Suite("Faults: data disk full")
struct FullDiskServeTests {
    @Test("on a full disk siskin serve keeps ingesting and answering, /readyz says why; freed, it heals and loses nothing")
    func fullDisk() async throws {
        let scale = FaultScale.current
        let directory = try BuiltExecutable.temporaryDirectory()
        let disk = try FillableDisk(in: directory)
        defer { disk.release(); FaultScale.remove(directory) }
        var server = try await ServeProcess.start(dataDirectory: disk.dataDirectory, arguments: scale.serveArguments)
        let port = server.port
        let rig = try MeshAgents(directory: directory, pushURLs: [server.baseURL], scale: scale)
        defer { rig.stopAll(); server.stop() }
        try rig.start()
        #expect(await rig.waitForBaselines(server.baseURL))
        let before = rig.truth()
        let started = Date()
        try rig.startTraffic()
        try await sleepSeconds(max(1, 5 * scale.interval))
        #expect(try await LoopbackHTTP.get(server.baseURL + "/readyz").status == 200)

        try disk.fill()
        var readiness = LoopbackHTTP.Reply(status: 0, body: [])
        let degraded = await waitUntilAsync(timeout: scale.settle) {
            readiness = (try? await LoopbackHTTP.get(server.baseURL + "/readyz")) ?? readiness
            return readiness.status == 503
        }
        #expect(degraded, "\(disk.technique): /readyz \(readiness.status) \(readiness.text)")
        #expect(readiness.text.contains("persistence degraded") && readiness.text.contains("No space left on device"),
                "\(readiness.text)")
        // Degraded, not down: alive, ingesting, answering.
        let acceptedThen = try await AggregatorKillTests.acceptedPushes(server.baseURL)
        try await sleepSeconds(max(2, 10 * scale.interval))
        #expect(server.process.isRunning)
        #expect(try await LoopbackHTTP.get(server.baseURL + "/healthz").status == 200)
        #expect(try await AggregatorKillTests.acceptedPushes(server.baseURL) > acceptedThen, "pushes still accepted")
        let window = { MeshAgents.window(since: started) }
        let servedMidway = rig.served(since: before)
        let storedMidway = try await MeshAgents.stored(server.baseURL, window: window())
        for (workload, served) in servedMidway {
            // Answers from memory keep up with traffic (within a few pushes).
            #expect(storedMidway[workload, default: 0] > 0 && storedMidway[workload, default: 0] <= served + 0.5,
                    "\(workload): stored \(storedMidway[workload, default: 0]) of \(served) while the disk is full")
        }
        #expect(try await LoopbackHTTP.get(server.baseURL + "/readyz").status == 503, "still not ready while full")

        // Space returns: the next snapshot captures memory and heals persistence.
        try disk.free()
        let freed = ContinuousClock.now
        #expect(await waitUntilAsync(timeout: scale.settle) {
            (try? await LoopbackHTTP.get(server.baseURL + "/readyz"))?.status == 200
        }, "ready again after space returned: \(server.log)")
        let healed = BlackholeTests.seconds(ContinuousClock.now - freed)
        rig.holdTraffic()
        let served = rig.served(since: before)
        let stored = await rig.waitForTotals(server.baseURL, served, window: window())
        #expect(MeshAgents.matches(stored, served), "stored \(stored), Envoys served \(served)")

        // Nothing was lost on disk either: kill -9 and restart from it.
        server.kill()
        server = try await ServeProcess.start(dataDirectory: disk.dataDirectory, arguments: scale.serveArguments, port: port)
        let restored = await rig.waitForTotals(server.baseURL, served, window: window())
        #expect(MeshAgents.matches(restored, served), "after kill -9 and restart: \(restored), Envoys served \(served)")
        FaultScale.report("disk full", "\(disk.technique.rawValue): /readyz 503 while full, ready \(String(format: "%.1f", healed)) s after space returned (--snapshot-interval \(scale.seconds(60)) s); served \(Int(served.values.reduce(0, +))), held exactly after healing and after kill -9 + restart")
    }
}
