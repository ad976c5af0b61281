import SiskinAggregation
import SiskinQuery
import SiskinSimulator
import SiskinStore
import Testing

/// The agent's pipeline and the aggregator's, in one process and one clock:
/// simulated Envoy → `PodAggregator` → `WindowedStore`, push by push, with
/// Envoy restarts and agent restarts, against the simulator's ground truth.
@Suite("Pipeline exactness: Envoy to store")
struct PipelineExactnessTests {
    let start: Int64 = 1_800_000_000_000

    @Test("fast pushes into 1 s slots count exactly", arguments: [7] as [UInt64])
    func fastPushes(seed: UInt64) throws {
        var fleet = Fleet(preset: .small, seed: seed)
        var store = WindowedStore(configuration: StoreConfiguration(slotMilliseconds: 1_000))
        var aggregator = PodAggregator(pod: fleet.focus.pod.name, namespace: "test")
        var sequence: UInt64 = 0
        var t = start + 123
        let workload = fleet.focus.pod.workloadName
        let predicate = ["reporter": "destination", "destination_workload": workload]
        func push() throws {
            _ = try aggregator.ingest(fleet.focus.render())
            sequence += 1
            _ = store.ingest(aggregator.summary(agentInstance: "a", sequence: sequence, timestampMilliseconds: t), now: t)
        }
        try push()
        let baseline = fleet.requests(matching: predicate)
        for step in 1...100 {
            if step % 3 == 0 { fleet.advance(by: 1) }
            t += 200
            try push()
        }
        let expected = Double(fleet.requests(matching: predicate) - baseline)
        let report = WorkloadQuerier().answer(WorkloadQuery(namespace: "test", workload: workload, windowMilliseconds: 600_000, at: t), store: store, now: t)
        #expect(abs(report.requests - expected) < 0.01, "stored \(report.requests), served \(expected), \(report)")
    }

    @Test("every request is in the store exactly once, through an agent restart and an Envoy restart",
          arguments: [1, 2, 3, 7] as [UInt64])
    func exact(seed: UInt64) throws {
        var fleet = Fleet(preset: .small, seed: seed)
        var store = WindowedStore()
        var instance = 1
        var aggregator = PodAggregator(pod: fleet.focus.pod.name, namespace: "test")
        var sequence: UInt64 = 0
        var t = start
        let workload = fleet.focus.pod.workloadName
        let predicate = ["reporter": "destination", "destination_workload": workload]

        func push() throws {
            _ = try aggregator.ingest(fleet.focus.render())
            sequence += 1
            let summary = aggregator.summary(agentInstance: "agent-\(instance)", sequence: sequence, timestampMilliseconds: t)
            _ = store.ingest(summary, now: t)
        }

        try push()
        let baseline = fleet.requests(matching: predicate)
        // 110 pushes, 5 s apart: all inside the 10-minute pod detail.
        for step in 1...110 {
            // Envoy restarts right after a scrape: what it served since the
            // last scrape would be lost to any scraper, Prometheus included.
            if step == 60 { fleet.restartFocus() }
            fleet.advance(by: 5)
            t += 5_000
            if step == 30 {
                // The agent restarts: a new instance, a fresh aggregator.
                instance += 1
                aggregator = PodAggregator(pod: fleet.focus.pod.name, namespace: "test")
                sequence = 0
            }
            try push()
        }
        let expected = Double(fleet.requests(matching: predicate) - baseline)
        let ids = store.select(.pod, name: "istio_requests_total", matching: [
            .equal("reporter", "destination"), .equal("destination_workload", workload),
        ])
        let stored = ids.map { store.total(.pod, $0, from: start, to: t)[0] }.reduce(0, +)
        #expect(expected > 0)
        #expect(abs(stored - expected) < 0.01, "stored \(stored), Envoy served \(expected)")
    }
}
