import SiskinAggregation
import SiskinExport
import SiskinIngest
import SiskinStore
import SiskinTesting
import Testing

@Suite("Cumulative collector: the store's increases as counters a receiver can rate()")
struct CollectorTests {
    static let t0: Int64 = 1_700_000_000_000  // a slot boundary (5 s slots)

    /// Two primary pods pushing every 5 s: A serves 100 ok + 10 errors per push, B 50 ok at 300 ms.
    struct Fleet {
        var store = WindowedStore(configuration: StoreConfiguration())
        var a = SimulatedPod(pod: "podinfo-primary-a", workload: "podinfo-primary", revision: "v1")
        var b = SimulatedPod(pod: "podinfo-primary-b", workload: "podinfo-primary", revision: "v1")

        mutating func push(at t: Int64, traffic: Bool = true) {
            if traffic {
                a.serve(100)
                a.serve(10, code: "503")
                b.serve(50, milliseconds: 300)
            }
            _ = store.ingest(a.summary(at: t), now: t)
            _ = store.ingest(b.summary(at: t), now: t)
        }
    }

    static func find(_ series: [ExportSeries], _ labels: [String: String]) -> [ExportSeries] {
        series.filter { s in labels.allSatisfy { name, value in s.labels.contains(ExportLabel(name, value)) } }
    }

    static func labelNames(_ s: ExportSeries) -> [String] { s.labels.map(\.name) }

    @Test("level both: istio_requests_total per pod, histograms as workload rollups; totals accumulate; labels sorted")
    func both() throws {
        var fleet = Fleet()
        var collector = CumulativeCollector(selection: ExportSelection(), externalLabels: [ExportLabel("cluster", "test"), ExportLabel("namespace", "ignored")])
        fleet.push(at: Self.t0, traffic: false)
        let first = collector.collectSeries(fleet.store, now: Self.t0)
        // Every series starts at 0: a sample at the start of the first slot and one at its end.
        #expect(!first.isEmpty)
        #expect(first.allSatisfy { $0.samples == [ExportSample(timestamp: Self.t0 - 5000, value: 0), ExportSample(timestamp: Self.t0, value: 0)] })

        fleet.push(at: Self.t0 + 5000)
        fleet.push(at: Self.t0 + 10_000)
        let out = collector.collectSeries(fleet.store, now: Self.t0 + 10_000)
        // Two slots completed: two samples per series, cumulative.
        let okA = try #require(Self.find(out, ["__name__": "istio_requests_total", "pod": "podinfo-primary-a", "response_code": "200"]).first)
        #expect(okA.samples == [ExportSample(timestamp: Self.t0 + 5000, value: 100), ExportSample(timestamp: Self.t0 + 10_000, value: 200)])
        let errA = try #require(Self.find(out, ["__name__": "istio_requests_total", "pod": "podinfo-primary-a", "response_code": "503"]).first)
        #expect(errA.samples.map(\.value) == [10, 20])
        // No rollup of a family exported per pod: sums over the receiver's series count once.
        #expect(Self.find(out, ["__name__": "istio_requests_total"]).allSatisfy { $0.labels.contains { $0.name == "pod" } })
        // Histograms as rollups: no pod label, summed over both pods.
        let count = Self.find(out, ["__name__": "istio_request_duration_milliseconds_count"])
        #expect(count.count == 1)
        #expect(count.first.map(Self.labelNames)?.contains("pod") == false)
        #expect(count.first?.samples.map(\.value) == [160, 320])
        let sum = try #require(Self.find(out, ["__name__": "istio_request_duration_milliseconds_sum"]).first)
        let perPush: Double = 110 * 20 + 50 * 300
        #expect(sum.samples.map(\.value) == [perPush, 2 * perPush])
        let buckets = Self.find(out, ["__name__": "istio_request_duration_milliseconds_bucket"])
        #expect(buckets.count == envoyBounds.count + 1)
        #expect(Self.find(buckets, ["le": "25"]).first?.samples.last?.value == 220)
        #expect(Self.find(buckets, ["le": "250"]).first?.samples.last?.value == 220)
        #expect(Self.find(buckets, ["le": "500"]).first?.samples.last?.value == 320)
        #expect(Self.find(buckets, ["le": "+Inf"]).first?.samples.last?.value == 320)
        #expect(Self.find(buckets, ["le": "0.5"]).count == 1)
        // External labels added, never overriding the series' own; labels sorted, none empty.
        for s in out {
            #expect(s.labels == s.labels.sorted())
            #expect(s.labels.allSatisfy { !$0.value.isEmpty })
            #expect(s.labels.contains(ExportLabel("cluster", "test")))
            #expect(s.labels.contains(ExportLabel("namespace", "test")))
        }
        // Nothing new: nothing collected.
        #expect(collector.collectSeries(fleet.store, now: Self.t0 + 10_000).isEmpty)
    }

    @Test("the receiver's increase over the exported samples equals the store's increase over the same range")
    func increaseMatchesStore() throws {
        var fleet = Fleet()
        var collector = CumulativeCollector(selection: ExportSelection(level: .rollup))
        fleet.push(at: Self.t0, traffic: false)
        var all: [ExportSeries] = collector.collectSeries(fleet.store, now: Self.t0)
        // Pushes 3.7 s apart: increases spread over slots they straddle.
        var t = Self.t0
        for _ in 0..<20 {
            t += 3700
            fleet.push(at: t)
            all += collector.collectSeries(fleet.store, now: t)
        }
        let through = try #require(collector.exportedThrough(fleet.store))
        let okRollup = Self.find(all, ["__name__": "istio_requests_total", "response_code": "200"])
        #expect(okRollup.allSatisfy { !Self.labelNames($0).contains("pod") })
        let samples = okRollup.flatMap(\.samples)
        #expect(samples.map(\.timestamp) == samples.map(\.timestamp).sorted())
        // Rollups are summed from the pod-level detail, what Siskin answers windows from.
        let podIDs = fleet.store.select(.pod, name: "istio_requests_total", matching: [.equal("response_code", "200")])
        let detail = podIDs.reduce(0.0) { $0 + fleet.store.total(.pod, $1, from: Self.t0 - 5000, to: through)[0] }
        let last = try #require(samples.last?.value)
        #expect(abs(last - detail) < 1e-6 * detail)
        // Only complete slots: 20 pushes of 150 ok requests, the last one partly beyond the watermark's slot.
        #expect(last <= 3000 && last > 2700)
    }

    @Test("level pod: every family per pod; a pod that appears later starts at 0 at the start of its first slot")
    func podLevelAndLateSeries() throws {
        var fleet = Fleet()
        var collector = CumulativeCollector(selection: ExportSelection(level: .pod))
        fleet.push(at: Self.t0, traffic: false)
        _ = collector.collectSeries(fleet.store, now: Self.t0)
        fleet.push(at: Self.t0 + 5000)
        _ = collector.collectSeries(fleet.store, now: Self.t0 + 5000)
        var c = SimulatedPod(pod: "podinfo-primary-c", workload: "podinfo-primary", revision: "v1")
        _ = fleet.store.ingest(c.summary(at: Self.t0 + 5000), now: Self.t0 + 5000)
        fleet.push(at: Self.t0 + 10_000)
        c.serve(7)
        _ = fleet.store.ingest(c.summary(at: Self.t0 + 10_000), now: Self.t0 + 10_000)
        let out = collector.collectSeries(fleet.store, now: Self.t0 + 10_000)
        let counts = Self.find(out, ["__name__": "istio_request_duration_milliseconds_count"])
        #expect(Set(counts.compactMap { $0.labels.first { $0.name == "pod" }?.value }) == ["podinfo-primary-a", "podinfo-primary-b", "podinfo-primary-c"])
        let cOK = try #require(Self.find(out, ["__name__": "istio_requests_total", "pod": "podinfo-primary-c", "response_code": "200"]).first)
        #expect(cOK.samples == [ExportSample(timestamp: Self.t0 + 5000, value: 0), ExportSample(timestamp: Self.t0 + 10_000, value: 7)])
        let aOK = try #require(Self.find(out, ["__name__": "istio_requests_total", "pod": "podinfo-primary-a", "response_code": "200"]).first)
        #expect(aOK.samples == [ExportSample(timestamp: Self.t0 + 10_000, value: 200)])
    }

    @Test("data behind the watermark only: a pod that has not pushed yet holds the slot back")
    func watermark() {
        var fleet = Fleet()
        var collector = CumulativeCollector(selection: ExportSelection(level: .rollup))
        fleet.push(at: Self.t0, traffic: false)
        _ = collector.collectSeries(fleet.store, now: Self.t0)
        fleet.a.serve(100)
        _ = fleet.store.ingest(fleet.a.summary(at: Self.t0 + 5000), now: Self.t0 + 5000)
        // B has not pushed past t0: the slot ending at t0+5s is not complete.
        #expect(collector.collectSeries(fleet.store, now: Self.t0 + 5000).isEmpty)
        fleet.b.serve(50)
        _ = fleet.store.ingest(fleet.b.summary(at: Self.t0 + 5000), now: Self.t0 + 5100)
        let out = collector.collectSeries(fleet.store, now: Self.t0 + 5100)
        #expect(Self.find(out, ["__name__": "istio_requests_total", "response_code": "200"]).first?.samples.map(\.value) == [150])
    }

    @Test("a coarser interval stamps samples only at its multiples; totals still count every slot")
    func interval() throws {
        var fleet = Fleet()
        var collector = CumulativeCollector(selection: ExportSelection(level: .rollup), intervalMilliseconds: 15_000)
        fleet.push(at: Self.t0, traffic: false)
        var all = collector.collectSeries(fleet.store, now: Self.t0)
        for step in 1...6 {
            fleet.push(at: Self.t0 + Int64(step) * 5000)
            all += collector.collectSeries(fleet.store, now: Self.t0 + Int64(step) * 5000)
        }
        let ok = Self.find(all, ["__name__": "istio_requests_total", "response_code": "200"]).flatMap(\.samples)
        // t0 + 10 s is the first multiple of 15 s (t0 is 5 s past one); the series starts
        // at 0 at the start of its first slot, then every 15 s with the slots between counted.
        #expect(ok == [
            ExportSample(timestamp: Self.t0 - 5000, value: 0), ExportSample(timestamp: Self.t0 + 10_000, value: 300),
            ExportSample(timestamp: Self.t0 + 25_000, value: 750),
        ])
    }
}
