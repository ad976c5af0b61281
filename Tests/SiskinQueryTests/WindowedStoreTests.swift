import SiskinAggregation
import SiskinIngest
import SiskinStore
import SiskinTesting
import Testing

func webPod(_ name: String = "web-6f7d8c9b5d-k2x7p") -> IstioPod { IstioPod(pod: name, workload: "web") }

@Suite("Windowed store: increases spread over time, summed over windows")
struct WindowedStoreTests {
    @Test("window totals equal the known increases exactly when the window aligns with the pushes")
    func alignedWindowsAreExact() {
        var store = WindowedStore(configuration: .fineRollups)
        var pod = webPod()
        pod.serve(1_000)
        #expect(store.push(pod.push(at: t0)) == .applied(kind: .baseline, newSeries: 1, resets: 0))
        for i in 1...30 {
            pod.serve(100)
            #expect(store.push(pod.push(at: t0 + Int64(i) * 5_000)) == .applied(kind: .increase, newSeries: 0, resets: 0))
        }
        let t = t0 + 150_000
        let key = pod.requestsKey(code: "200")
        #expect(store.total(.pod, key, from: t - 60_000, to: t) == [1_200])
        #expect(store.total(.rollup, pod.rollupKey(code: "200"), from: t - 60_000, to: t) == [1_200])
        #expect(store.total(.pod, key, from: t - 5_000, to: t) == [100])
        #expect(store.total(.pod, key, from: t0, to: t) == [3_000])
        // The baseline's 1 000 requests happened before anything was known.
        #expect(store.total(.pod, key, from: t0 - 60_000, to: t0) == [0])
        // Nothing after the last push.
        #expect(store.total(.pod, key, from: t, to: t + 60_000) == [0])
        for start in stride(from: t0, to: t - 15_000, by: 5_000) {
            #expect(store.total(.pod, key, from: start, to: start + 15_000) == [300], "window from \(start - t0) ms")
        }
    }

    @Test("an increase is spread evenly over the interval its two pushes cover")
    func increasesSpreadOverTheirInterval() {
        var store = WindowedStore(configuration: .fineRollups)
        var slow = webPod("web-6f7d8c9b5d-aaaaa")
        var shifted = webPod("web-6f7d8c9b5d-bbbbb")
        slow.serve(1)
        shifted.serve(1)
        store.push(slow.push(at: t0))
        store.push(shifted.push(at: t0 + 2_500))
        // 100 requests over 10 s, on and off the slot grid.
        slow.serve(100)
        shifted.serve(100)
        store.push(slow.push(at: t0 + 10_000))
        store.push(shifted.push(at: t0 + 12_500))

        let a = slow.requestsKey(code: "200"), b = shifted.requestsKey(code: "200")
        #expect(store.total(.pod, a, from: t0, to: t0 + 5_000) == [50])
        #expect(store.total(.pod, a, from: t0 + 5_000, to: t0 + 10_000) == [50])
        #expect(store.total(.pod, b, from: t0, to: t0 + 5_000) == [25])
        #expect(store.total(.pod, b, from: t0 + 5_000, to: t0 + 10_000) == [50])
        #expect(store.total(.pod, b, from: t0 + 10_000, to: t0 + 15_000) == [25])
        #expect(store.total(.pod, b, from: t0 - 5_000, to: t0 + 20_000) == [100])
        // Both pods feed one workload rollup.
        #expect(store.total(.rollup, slow.rollupKey(code: "200"), from: t0 + 5_000, to: t0 + 10_000) == [100])
        #expect(store.total(.rollup, slow.rollupKey(code: "200"), from: t0 - 5_000, to: t0 + 20_000) == [200])
    }

    @Test("lost pushes lose no counts: the next push spreads the whole gap's increase over it")
    func lostPushesAreCovered() throws {
        var store = WindowedStore(configuration: .fineRollups)
        var pod = webPod()
        pod.serve(1, latency: 20)
        store.push(pod.push(at: t0))
        pod.serve(100, latency: 20)
        store.push(pod.push(at: t0 + 5_000))
        for i in 2...3 {  // never arrive
            pod.serve(100, latency: 20)
            _ = pod.push(at: t0 + Int64(i) * 5_000)
        }
        pod.serve(100, latency: 20)
        store.push(pod.push(at: t0 + 20_000))

        let key = pod.requestsKey(code: "200")
        #expect(close(store.total(.pod, key, from: t0, to: t0 + 20_000), [400]))
        #expect(close(store.total(.rollup, pod.rollupKey(code: "200"), from: t0, to: t0 + 20_000), [400]))
        #expect(store.total(.pod, key, from: t0, to: t0 + 5_000) == [100])
        for slot in 1...3 {
            let start = t0 + Int64(slot) * 5_000
            #expect(close(store.total(.pod, key, from: start, to: start + 5_000), [100]), "slot \(slot)")
        }
        let durations = try #require(store.total(.rollup, pod.durationRollupKey(code: "200"), from: t0, to: t0 + 20_000))
        #expect(close(durations[durations.count - 1], 400))
        #expect(close(durations[durations.count - 2], 400 * 20))
    }

    @Test("retries and late pushes are ignored and change no total")
    func duplicatesChangeNothing() {
        var store = WindowedStore(configuration: .fineRollups)
        var pod = webPod()
        pod.serve(1)
        let first = pod.push(at: t0)
        store.push(first)
        pod.serve(100)
        let second = pod.push(at: t0 + 5_000)
        store.push(second)
        let key = pod.requestsKey(code: "200")
        let before = store.total(.pod, key, from: t0 - 60_000, to: t0 + 60_000)

        #expect(store.push(second) == .ignored(.duplicate(sequence: 2, last: 2)))
        #expect(store.push(first) == .ignored(.duplicate(sequence: 1, last: 2)))
        var restarted = pod
        restarted.agentInstance = "agent-2"
        restarted.serve(500)
        #expect(store.push(restarted.summary(sequence: 1, at: t0 + 1_000)) ==
                .ignored(.outOfOrder(timestamp: t0 + 1_000, last: t0 + 5_000)))
        #expect(store.total(.pod, key, from: t0 - 60_000, to: t0 + 60_000) == before)
        #expect(before == [100])
    }

    @Test("an Envoy restart never makes a window total negative or doubled")
    func resetsInWindows() {
        var store = WindowedStore(configuration: .fineRollups)
        var pod = webPod()
        pod.requests["200"] = .integer(5_000)
        store.push(pod.push(at: t0))
        pod.requests["200"] = .integer(5_100)
        store.push(pod.push(at: t0 + 5_000))
        pod.requests["200"] = .integer(40)  // restarted, 40 since
        #expect(store.push(pod.push(at: t0 + 10_000)) == .applied(kind: .increase, newSeries: 0, resets: 1))
        pod.requests["200"] = .integer(140)
        store.push(pod.push(at: t0 + 15_000))
        let key = pod.requestsKey(code: "200")
        #expect(store.total(.pod, key, from: t0, to: t0 + 15_000) == [240])
        #expect(store.total(.pod, key, from: t0 + 5_000, to: t0 + 10_000) == [40])
    }

    @Test("a gauge keeps its latest value and feeds no rollup; a counter accumulates its increases")
    func gaugesAndCounters() throws {
        var store = WindowedStore(configuration: .fineRollups)
        var pod = webPod()
        let gaugeLabels = [Label("namespace", pod.namespace), Label("pod", pod.pod)]
        let gauge = SeriesKey(name: "envoy_server_active_connections", labels: gaugeLabels)
        func push(connections: Double, served: UInt64, at t: Int64) {
            pod.serve(served)
            pod.extraFamilies = [SummaryFamily(name: gauge.name, kind: .gauge,
                                               series: [SummarySeries(labels: gaugeLabels, value: .gauge(connections))])]
            store.push(pod.push(at: t))
        }
        push(connections: 7, served: 10, at: t0)
        push(connections: 4, served: 10, at: t0 + 5_000)
        push(connections: 9, served: 10, at: t0 + 15_000)  // one push lost

        let id = try #require(store.id(.pod, gauge))
        #expect(store.stored(.pod, id).kind == .gauge)
        #expect(store.latestGauge(id, at: t0) == 7)
        #expect(store.latestGauge(id, at: t0 + 5_000) == 4)
        #expect(store.latestGauge(id, at: t0 + 10_000) == 4)
        #expect(store.latestGauge(id, at: t0 + 15_000) == 9)
        #expect(store.latestGauge(id, at: t0 + 60_000) == 9)
        #expect(store.latestGauge(id, at: t0 - 3_600_000) == nil)
        #expect(store.select(.rollup, name: gauge.name, matching: []).isEmpty)

        #expect(store.total(.pod, pod.requestsKey(code: "200"), from: t0 - 60_000, to: t0 + 60_000) == [20])
        #expect(store.stored(.pod, try #require(store.id(.pod, pod.requestsKey(code: "200")))).kind == .counter)
    }

    @Test("the watermark holds the window end at the slowest pod still pushing, and stops waiting for silent ones")
    func watermarkCutsWindowEnd() throws {
        var store = WindowedStore(configuration: .fineRollups)
        var fast = webPod("web-6f7d8c9b5d-aaaaa")
        var slow = webPod("web-6f7d8c9b5d-bbbbb")
        for i in 0...12 {
            let t = t0 + Int64(i) * 5_000
            fast.serve(100)
            store.push(fast.push(at: t))
            if i < 12 {
                slow.serve(100)
                store.push(slow.push(at: t))
            }
        }
        let now = t0 + 60_000
        #expect(store.watermark(now: now) == t0 + 55_000)
        let covered = try #require(store.coveredRange(from: now - 60_000, to: now, level: .rollup, now: now))
        #expect(covered.from == t0)
        #expect(covered.to == t0 + 55_000)
        // Before the first push nothing is known: the start is cut too.
        let early = try #require(store.coveredRange(from: t0 - 30_000, to: t0 + 30_000, level: .rollup, now: now))
        #expect(early.from == t0)
        #expect(early.to == t0 + 30_000)
        #expect(store.coveredRange(from: t0 - 60_000, to: t0, level: .rollup, now: now) == nil)

        // The slow pod stays silent: waited for up to three intervals (at least 15 s).
        fast.serve(100)
        store.push(fast.push(at: t0 + 65_000))
        fast.serve(100)
        store.push(fast.push(at: t0 + 70_000))
        #expect(store.watermark(now: t0 + 70_000) == t0 + 55_000)
        #expect(store.watermark(now: t0 + 70_001) == t0 + 70_000)
    }

    @Test("rollups sum a workload's pods per label set, without the pod label")
    func rollupsSumPods() throws {
        var store = WindowedStore(configuration: .fineRollups)
        var a = webPod("web-6f7d8c9b5d-aaaaa")
        var b = webPod("web-6f7d8c9b5d-bbbbb")
        for i in 0...12 {
            let t = t0 + Int64(i) * 5_000
            a.serve(30, latency: 20)
            a.serve(1, code: "503", latency: 300)
            b.serve(20, latency: 20)
            store.push(a.push(at: t))
            store.push(b.push(at: t))
        }
        let ids = store.select(.rollup, name: requestsTotal, matching: [.equal("destination_workload", "web")])
        #expect(Set(ids.map { store.stored(.rollup, $0).key }) == [a.rollupKey(code: "200"), a.rollupKey(code: "503")])
        #expect(store.select(.pod, name: requestsTotal, matching: [.equal("destination_workload", "web")]).count == 3)
        #expect(store.total(.rollup, a.rollupKey(code: "200"), from: t0, to: t0 + 60_000) == [600])
        #expect(store.total(.rollup, a.rollupKey(code: "503"), from: t0, to: t0 + 60_000) == [12])
        let durations = try #require(store.total(.rollup, a.durationRollupKey(code: "200"), from: t0, to: t0 + 60_000))
        var expected = Durations()
        expected.observe(20, times: 600)
        #expect(durations == expected.storeValues)
    }

    @Test("pod detail is kept for 10 minutes, workload rollups for the full hour")
    func rollupsOutliveDetail() throws {
        var store = WindowedStore(configuration: .fineRollups)
        var pod = webPod()
        for i in 0...360 {
            pod.serve(100)
            store.push(pod.push(at: t0 + Int64(i) * 5_000))
        }
        let t = t0 + 30 * 60_000
        let key = pod.requestsKey(code: "200"), rollup = pod.rollupKey(code: "200")
        #expect(store.total(.pod, key, from: t0, to: t0 + 5 * 60_000) == [0])
        #expect(store.total(.rollup, rollup, from: t0, to: t0 + 5 * 60_000) == [6_000])
        #expect(store.total(.pod, key, from: t - 10 * 60_000, to: t) == [12_000])
        #expect(store.total(.rollup, rollup, from: t - 30 * 60_000, to: t) == [36_000])
        let detail = try #require(store.coveredRange(from: t - 30 * 60_000, to: t, level: .pod, now: t))
        #expect(detail.from == t - 10 * 60_000)
        let full = try #require(store.coveredRange(from: t - 30 * 60_000, to: t, level: .rollup, now: t))
        #expect(full.from == t - 30 * 60_000)
    }

    @Test("pushes the store cannot take are rejected with the reason")
    func rejections() {
        var store = WindowedStore(configuration: StoreConfiguration(maxSeriesPerPod: 2, maxPods: 1))
        var pod = webPod()
        pod.serve(1)
        var nameless = pod
        nameless.pod = ""
        #expect(store.push(nameless.push(at: t0)) == .rejected(.emptyIdentity))
        #expect(store.ingest(pod.push(at: t0 + 60_001), now: t0) == .rejected(.timestampInFuture(skewMilliseconds: 60_001)))
        var wide = pod
        wide.serve(1, code: "404")
        wide.serve(1, code: "503")
        #expect(store.push(wide.push(at: t0)) == .rejected(.tooManySeries(count: 3, limit: 2)))
        #expect(store.ingest(pod.push(at: t0 + 60_000), now: t0) == .applied(kind: .baseline, newSeries: 1, resets: 0))
        var other = webPod("web-6f7d8c9b5d-other")
        other.serve(1)
        #expect(store.push(other.push(at: t0 + 60_000)) == .rejected(.tooManyPods(limit: 1)))
        #expect(store.podCount == 1)
    }
}

@Suite("Expiry: stale pods go, rollups stay for the retention")
struct ExpiryTests {
    /// Two pods of `web` pushing +100 every 5 s from `t0`; `b` stops after a minute.
    func twoPods(aUntil: Int64) -> (WindowedStore, IstioPod, IstioPod) {
        var store = WindowedStore(configuration: .fineRollups)
        var a = webPod("web-6f7d8c9b5d-aaaaa")
        var b = webPod("web-6f7d8c9b5d-bbbbb")
        var t = t0
        while t <= aUntil {
            a.serve(100)
            store.push(a.push(at: t))
            if t <= t0 + 60_000 {
                b.serve(100)
                store.push(b.push(at: t))
            }
            t += 5_000
        }
        return (store, a, b)
    }

    @Test("a pod silent for more than 5 minutes is dropped; its series answer until their data leaves the detail retention, the rollup for the full retention")
    func stalePodsDropped() {
        let bLast = t0 + 60_000
        let (initial, a, b) = twoPods(aUntil: bLast + 5 * 60_000 + 5_000)
        var store = initial
        var stillPushing = a
        let seriesBefore = store.seriesCount
        #expect(store.expire(now: bLast + 5 * 60_000) == 0)
        #expect(store.podCount == 2)
        #expect(store.expire(now: bLast + 5 * 60_000 + 1) == 1)
        #expect(store.podCount == 1)
        #expect(store.podRecord(PodKey(namespace: b.namespace, pod: b.pod)) == nil)
        #expect(store.podRecord(PodKey(namespace: a.namespace, pod: a.pod)) != nil)
        // Detached, not forgotten: what b served is still in the window.
        #expect(store.select(.pod, name: nil, matching: [.equal("pod", b.pod)]).count == 1)
        #expect(store.attachedSeriesCount == seriesBefore - 1)
        #expect(store.total(.pod, b.requestsKey(code: "200"), from: t0, to: bLast) == [1_200])
        #expect(store.total(.rollup, a.rollupKey(code: "200"), from: t0, to: bLast) == [2_400])
        #expect(store.expire(now: bLast + 5 * 60_000 + 1) == 0)

        // Once the newest data is more than the detail retention past b's
        // last push, b's series are purged; the rollup still has it all.
        var t = bLast + 5 * 60_000 + 10_000
        while t <= bLast + 10 * 60_000 + 5_000 {
            stillPushing.serve(100)
            store.push(stillPushing.push(at: t))
            t += 5_000
        }
        store.expire(now: t)
        #expect(store.select(.pod, name: nil, matching: [.equal("pod", b.pod)]).isEmpty)
        #expect(store.seriesCount == seriesBefore - 1)
        #expect(store.total(.rollup, a.rollupKey(code: "200"), from: t0, to: bLast) == [2_400])
    }

    @Test("a series the agent stopped sending is detached, not lost, and continues when it comes back")
    func forgottenSeriesComeBack() {
        var store = WindowedStore(configuration: .fineRollups)
        var pod = webPod()
        var t = t0
        pod.serve(100)
        pod.serve(10, code: "503")
        store.push(pod.push(at: t))
        t += 5_000
        pod.serve(100)
        pod.serve(10, code: "503")
        store.push(pod.push(at: t))
        // The 503 series leaves the summaries for 60 pushes (5 min): forgotten.
        let errors = pod.requests.removeValue(forKey: "503")
        for _ in 0..<60 {
            t += 5_000
            pod.serve(100)
            store.push(pod.push(at: t))
        }
        #expect(store.attachedSeriesCount == 1)
        #expect(store.select(.pod, name: requestsTotal, matching: [.equal("response_code", "503")]).count == 1)
        // It comes back, still cumulative: it counts what it gained since its
        // last value, into the same ring.
        pod.requests["503"] = errors
        pod.serve(5, code: "503")
        t += 5_000
        pod.serve(100)
        store.push(pod.push(at: t))
        let ids = store.select(.pod, name: requestsTotal, matching: [.equal("response_code", "503")])
        #expect(ids.count == 1)
        #expect(store.attachedSeriesCount == 2)
        let total = store.total(.pod, ids[0], from: t0 - 5_000, to: t)[0]
        #expect(total == 10 + 5)
    }

    @Test("a dropped pod that pushes again starts over with a baseline")
    func droppedPodReturns() {
        let bLast = t0 + 60_000
        var (store, _, b) = twoPods(aUntil: bLast + 5 * 60_000 + 5_000)
        store.expire(now: bLast + 5 * 60_000 + 1)
        b.serve(1_000)
        let back = bLast + 5 * 60_000 + 5_000
        #expect(store.push(b.push(at: back)) == .applied(kind: .baseline, newSeries: 1, resets: 0))
        b.serve(100)
        #expect(store.push(b.push(at: back + 5_000)) == .applied(kind: .increase, newSeries: 0, resets: 0))
        #expect(store.total(.pod, b.requestsKey(code: "200"), from: back - 60_000, to: back + 5_000) == [100])
        #expect(store.total(.rollup, b.rollupKey(code: "200"), from: t0, to: bLast) == [2_400])
    }

    @Test("when every pod has gone stale, the rollups still hold their data")
    func allPodsStale() {
        let last = t0 + 60_000
        let (initial, a, _) = twoPods(aUntil: last)
        var store = initial
        let rollups = store.rollupCount
        #expect(store.expire(now: last + 5 * 60_000 + 1) == 2)
        #expect(store.podCount == 0)
        #expect(store.attachedSeriesCount == 0)
        #expect(store.rollupCount == rollups)
        #expect(store.total(.pod, a.requestsKey(code: "200"), from: t0, to: last) == [1_200])
        #expect(store.total(.rollup, a.rollupKey(code: "200"), from: t0, to: last) == [2_400])
    }

    @Test("expiring an empty store drops nothing")
    func emptyStore() {
        var store = WindowedStore(configuration: .fineRollups)
        #expect(store.expire(now: t0) == 0)
        #expect(store.rollupCount == 0)
    }

    @Test("a rollup nobody feeds any more is dropped once its newest data is older than the retention")
    func orphanRollupsExpire() {
        var store = WindowedStore(configuration: .fineRollups)
        var web = webPod()
        var batch = IstioPod(pod: "batch-7c9d8b6f5d-q8w2e", workload: "batch")
        var t = t0
        while t <= t0 + 60_000 + 60 * 60_000 {
            web.serve(100)
            store.push(web.push(at: t))
            if t <= t0 + 60_000 {
                batch.serve(100)
                store.push(batch.push(at: t))
            }
            if t == t0 + 60_000 + 5 * 60_000 + 5_000 { #expect(store.expire(now: t) == 1) }
            t += 5_000
        }
        let batchRollup = batch.rollupKey(code: "200")
        #expect(store.rollupCount == 2)
        #expect(store.expire(now: t0 + 60_000 + 60 * 60_000) == 0)
        #expect(store.id(.rollup, batchRollup) != nil)
        web.serve(100)
        store.push(web.push(at: t0 + 65_000 + 60 * 60_000))
        #expect(store.expire(now: t0 + 65_000 + 60 * 60_000) == 0)
        #expect(store.id(.rollup, batchRollup) == nil)
        #expect(store.rollupCount == 1)
        #expect(store.id(.rollup, web.rollupKey(code: "200")) != nil)
    }
}
