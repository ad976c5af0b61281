import SiskinAggregation
import SiskinIngest
import SiskinQuery
import SiskinStore
import SiskinTesting
import Testing

/// `podinfo` in `test`: two pods serving, plus a load tester whose client-side
/// (`reporter="source"`) series name `podinfo` too. Every 5 s, on the grid:
///
/// - pod a: 55 × 200 in 3 ms, 40 × 200 in 20 ms, 5 × 503 in 300 ms;
/// - pod b: 40 × 200 and 5 × 404 in 80 ms, 5 × 500 in 1 200 ms;
/// - the load tester: 1 000 requests to podinfo (source side).
struct Podinfo {
    var store = WindowedStore()
    var a = IstioPod(pod: "podinfo-7d9c8b6f5d-aaaaa", namespace: "test", workload: "podinfo")
    var b = IstioPod(pod: "podinfo-7d9c8b6f5d-bbbbb", namespace: "test", workload: "podinfo")
    var client = IstioPod(pod: "loadtester-5f6d7c8b9-ccccc", namespace: "test", workload: "podinfo")

    init() {
        client.reporter = "source"
    }

    mutating func step(at t: Int64, pushB: Bool = true) {
        a.serve(55, latency: 3)
        a.serve(40, latency: 20)
        a.serve(5, code: "503", latency: 300)
        b.serve(40, latency: 80)
        b.serve(5, code: "404", latency: 80)
        b.serve(5, code: "500", latency: 1_200)
        client.serve(1_000, latency: 90)
        store.push(a.push(at: t))
        if pushB { store.push(b.push(at: t)) }
        store.push(client.push(at: t))
    }

    /// Pushes at `t0`, `t0 + 5 s`, … up to `last`.
    mutating func run(until last: Int64) {
        var t = t0
        while t <= last {
            step(at: t)
            t += 5_000
        }
    }
}

@Suite("Workload queries answered from the store")
struct WorkloadQuerierTests {
    let querier = WorkloadQuerier()

    @Test("request rate, success rate (only 5xx fail) and per-pod rates over a 1 minute window")
    func ratesOverWindow() {
        var podinfo = Podinfo()
        podinfo.run(until: t0 + 120_000)
        let now = t0 + 120_000
        let report = querier.answer(WorkloadQuery(namespace: "test", workload: "podinfo", at: now),
                                    store: podinfo.store, now: now)
        #expect(report.coveredFrom == now - 60_000)
        #expect(report.coveredTo == now)
        #expect(report.windowSeconds == 60)
        #expect(report.requests == 1_800)
        #expect(report.requestRate == 30)
        #expect(close(report.successRate ?? 0, 140.0 / 150))
        #expect(report.pods.map(\.pod) == [podinfo.a.pod, podinfo.b.pod])
        #expect(report.pods.map(\.requestRate) == [20, 10])
        #expect(close(report.pods[0].errorRate ?? -1, 0.05))
        #expect(close(report.pods[1].errorRate ?? -1, 0.1))
    }

    @Test("latency quantiles come from the pods' merged histograms with histogram_quantile semantics")
    func latencyFromMergedHistograms() throws {
        var podinfo = Podinfo()
        podinfo.run(until: t0 + 120_000)
        let now = t0 + 120_000
        let report = querier.answer(WorkloadQuery(namespace: "test", workload: "podinfo", at: now),
                                    store: podinfo.store, now: now)
        let latency = try #require(report.latencyMilliseconds)
        #expect(close(latency.p50, 17.5))
        #expect(close(latency.p90, 850.0 / 9))
        #expect(close(latency.p95, 375))
        #expect(close(latency.p99, 2_050))
    }

    @Test("the source reporter's series answer only a source-side query")
    func reporterSelectsSide() throws {
        var podinfo = Podinfo()
        podinfo.run(until: t0 + 120_000)
        let now = t0 + 120_000
        let report = querier.answer(WorkloadQuery(namespace: "test", workload: "podinfo", reporter: "source", at: now),
                                    store: podinfo.store, now: now)
        #expect(report.requestRate == 200)
        #expect(report.successRate == 1)
        #expect(report.pods.map(\.pod) == [podinfo.client.pod])
        let latency = try #require(report.latencyMilliseconds)
        #expect(close(latency.p99, 50 + 50 * 0.99))
    }

    @Test("a revision narrows the answer to that revision's series")
    func revisionFilter() {
        var store = WindowedStore()
        var stable = IstioPod(pod: "podinfo-7d9c8b6f5d-aaaaa", namespace: "test", workload: "podinfo")
        var canary = IstioPod(pod: "podinfo-6c8b7d9f4c-bbbbb", namespace: "test", workload: "podinfo")
        canary.revision = "v2"
        for i in 0...12 {
            stable.serve(100)
            canary.serve(9)
            canary.serve(1, code: "503")
            store.push(stable.push(at: t0 + Int64(i) * 5_000))
            store.push(canary.push(at: t0 + Int64(i) * 5_000))
        }
        let now = t0 + 60_000
        let v2 = querier.answer(WorkloadQuery(namespace: "test", workload: "podinfo", revision: "v2", at: now),
                                store: store, now: now)
        #expect(v2.requestRate == 2)
        #expect(close(v2.successRate ?? 0, 0.9))
        #expect(v2.pods.map(\.pod) == [canary.pod])
        let all = querier.answer(WorkloadQuery(namespace: "test", workload: "podinfo", at: now), store: store, now: now)
        #expect(all.requestRate == 22)
        #expect(all.pods.count == 2)
        #expect(all.latencyMilliseconds == nil)
    }

    @Test("the window ends at the watermark; rate and count are those of the covered part")
    func windowCutByWatermark() {
        var podinfo = Podinfo()
        podinfo.run(until: t0 + 115_000)
        podinfo.step(at: t0 + 120_000, pushB: false)
        let now = t0 + 120_000
        let report = querier.answer(WorkloadQuery(namespace: "test", workload: "podinfo", at: now),
                                    store: podinfo.store, now: now)
        #expect(report.coveredFrom == now - 60_000)
        #expect(report.coveredTo == now - 5_000)
        #expect(report.requestRate == 30)
        #expect(report.requests == 1_650)
        #expect(report.pods.map(\.requestRate) == [20, 10])
    }

    @Test("a pod pushing off the slot grid is measured exactly: the window ends at the last complete slot")
    func offGridPushes() throws {
        var store = WindowedStore()
        var pod = IstioPod(pod: "podinfo-7d9c8b6f5d-aaaaa", namespace: "test", workload: "podinfo")
        var t = t0 + 2_500
        while t <= t0 + 122_500 {
            pod.serve(100)
            store.push(pod.push(at: t))
            t += 5_000
        }
        let now = t0 + 122_500
        let covered = try #require(store.coveredRange(from: now - 60_000, to: now, level: .pod, now: now))
        #expect(covered.from == now - 60_000)
        #expect(covered.to == t0 + 120_000)
        let report = querier.answer(WorkloadQuery(namespace: "test", workload: "podinfo", at: now), store: store, now: now)
        #expect(report.requestRate == 20)
        #expect(report.requests == 1_150)
        #expect(report.pods.map(\.requestRate) == [20])
    }

    @Test("in the first minute the window starts at the first push")
    func windowCutAtStart() {
        var podinfo = Podinfo()
        podinfo.run(until: t0 + 30_000)
        let now = t0 + 30_000
        let report = querier.answer(WorkloadQuery(namespace: "test", workload: "podinfo", at: now),
                                    store: podinfo.store, now: now)
        #expect(report.coveredFrom == t0)
        #expect(report.coveredTo == now)
        #expect(report.requestRate == 30)
        #expect(report.requests == 900)
    }

    @Test("without data the answer is empty: no rate, no success rate, no latency")
    func noData() {
        var podinfo = Podinfo()
        podinfo.run(until: t0 + 60_000)
        let now = t0 + 60_000
        let other = querier.answer(WorkloadQuery(namespace: "test", workload: "reviews", at: now),
                                   store: podinfo.store, now: now)
        #expect(other.requestRate == 0)
        #expect(other.requests == 0)
        #expect(other.successRate == nil)
        #expect(other.latencyMilliseconds == nil)
        #expect(other.pods.isEmpty)
        let before = querier.answer(WorkloadQuery(namespace: "test", workload: "podinfo", at: t0 - 1),
                                    store: podinfo.store, now: now)
        #expect(before.coveredFrom == nil)
        #expect(before.requestRate == 0)
        let empty = querier.answer(WorkloadQuery(namespace: "test", workload: "podinfo", at: now),
                                   store: WindowedStore(), now: now)
        #expect(empty.coveredFrom == nil)
        #expect(empty.successRate == nil)
    }
}
