import Foundation
import SiskinTesting
import Testing

/// Two aggregator replicas: every agent pushes to both (independent retry state per
/// endpoint). One replica is stopped for 15 s and restarted from its data directory on the
/// same address; the agents' next cumulative pushes cover the gap, and both replicas then
/// answer Flagger's checks and the rates alike (within a push per pod: the fidelity
/// suite's tolerances).
@Suite("High availability: two siskin replicas, one restarted, answer alike", .serialized)
struct HighAvailabilityTests {
    @Test("a replica stopped for 15 s and restarted from its data dir answers as the other", .scaledTimeLimit(minutes: 5))
    func replicasAgreeAfterRestart() async throws {
        let run = try MeshRun()
        defer { run.finish() }
        let a = try await SiskinRig.startServer(directory: run.directory, tokenFile: run.tokenFile, children: run.children, name: "replica-a")
        var b = try await SiskinRig.startServer(directory: run.directory, tokenFile: run.tokenFile, children: run.children, name: "replica-b")
        try SiskinRig.startAgents(
            for: run.mesh.endpoints, server: a, tokenFile: run.tokenFile, directory: run.directory, children: run.children,
            alsoPushingTo: [b])
        try #require(await run.waitForPods([a, b]), "replicas did not see every pod\n\(run.children.logs())")

        try run.mesh.startClock(tick: 0.1)
        let trafficStart = Date()
        try await sleep(until: trafficStart.addingTimeInterval(20))
        let replicaB = try #require(run.children.named("replica-b serve"))
        let port = try #require(URLComponents(string: b.baseURL)?.port)
        run.children.discard(replicaB)
        // Traffic changes while B is away: B must learn it from the cumulative pushes.
        run.startNewSource(rate: 100)
        try await sleep(until: trafficStart.addingTimeInterval(35))
        b = try await SiskinRig.startServer(
            directory: run.directory, tokenFile: run.tokenFile, children: run.children, name: "replica-b", port: port)
        let restarted = Date()
        // Agents back off while a replica is away (full jitter up to two intervals, the
        // default): every one must be back within a few seconds of the restart. B knows
        // every pod from its data dir, so wait for pushes, not for pods.
        try #require(await run.waitForPushes(b, since: restarted, timeout: 10),
                     "restarted replica did not hear from every pod within 10 s\n\(run.children.logs())")
        print("high availability: every agent pushed to the restarted replica within \(String(format: "%.1f", Date().timeIntervalSince(restarted))) s")
        try await sleep(until: trafficStart.addingTimeInterval(80))
        try FidelityTests.requireAllRunning(run.children, "during the traffic")

        let time = (Date().timeIntervalSince1970 - 5).rounded(.down)
        let rows = try await MeshRun.compare(
            MeshRun.flaggerAndRateQueries(primaryPods: run.primaryPods), reference: a, other: b, at: time)
        print("high availability: replica A \(a.baseURL), replica B \(b.baseURL) (restarted), evaluated at \(PromServer.format(time)); "
            + "\(rows.filter { $0.problem == nil }.count)/\(rows.count) ok")
        Compare.report(rows, left: "replica A", right: "replica B")
        // B restarted from its data: it still holds what it had before the stop (the 1m
        // window covers only part of it, so ask over 90 s as well).
        let before = "sum(increase(istio_requests_total{reporter=\"destination\"}[90s]))"
        let fromA = try await a.query(before, at: time)
        let fromB = try await b.query(before, at: time)
        let rowsLong = Compare.answers("increase [90s]", prometheus: fromA, siskin: fromB, tolerance: .relative(0.02))
        for row in rowsLong where row.problem != nil {
            Issue.record("\(row.check): A \(row.prometheus), B \(row.siskin): \(row.problem!)")
        }
        #expect(fromA.series.first.map { $0.points[0].value > 10_000 } == true)
    }
}
