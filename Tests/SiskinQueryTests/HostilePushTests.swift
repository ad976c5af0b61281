import SiskinAggregation
import SiskinIngest
import SiskinStore
import SiskinTesting
import Testing

/// Pushes an authenticated but broken (or malicious) agent could send: each
/// gets a clear answer, and none can crash the store or make it do unbounded
/// work.
@Suite("Hostile pushes")
struct HostilePushTests {
    let now: Int64 = 1_800_000_000_000

    @Test("timestamps at the ends of Int64 are refused without overflow", arguments: [Int64.min, Int64.min + 1, 0, -1, Int64.max])
    func extremeTimestamps(timestamp: Int64) {
        var store = WindowedStore()
        var pod = webPod()
        pod.serve(1)
        let outcome = store.ingest(pod.push(at: timestamp), now: now)
        guard case .rejected(let why) = outcome else {
            Issue.record("accepted a push stamped \(timestamp)")
            return
        }
        #expect(why.reason == (timestamp > now ? "timestamp_in_future" : "timestamp_too_old"))
        #expect(store.podCount == 0)
    }

    @Test("a push a day old is refused, one an hour old is accepted")
    func timestampAge() {
        var store = WindowedStore()
        var pod = webPod()
        #expect(store.ingest(pod.push(at: now - WindowedStore.maxTimestampAge - 1), now: now)
            == .rejected(.timestampTooOld(ageMilliseconds: WindowedStore.maxTimestampAge + 1)))
        if case .applied = store.ingest(pod.push(at: now - 3_600_000), now: now) {} else {
            Issue.record("an hour-old push was not applied")
        }
    }

    @Test("a gap as long as the oldest accepted timestamp spreads over at most one retention of slots")
    func longGapIsBounded() {
        var store = WindowedStore()
        var pod = webPod()
        pod.serve(10)
        _ = store.ingest(pod.push(at: now - WindowedStore.maxTimestampAge + 1), now: now)
        pod.serve(86_400)
        // Spread evenly over the (almost) day between the pushes: the last hour holds its share.
        _ = store.ingest(pod.push(at: now), now: now)
        let id = store.select(.rollup, name: requestsTotal, matching: []).first!
        let lastHour = store.total(.rollup, id, from: now - 3_600_000, to: now)[0]
        // Slots hold 32-bit floats: 7 significant digits.
        let expected = 86_400.0 * 3_600_000 / Double(WindowedStore.maxTimestampAge - 1)
        #expect(abs(lastHour - expected) < expected * 1e-6)
    }

    @Test("the same series twice in one push, with two layouts, keeps the first and crashes nothing")
    func repeatedSeriesWithTwoLayouts() {
        var store = WindowedStore()
        let labels = [Label("namespace", "shop"), Label("pod", "p")]
        func summary(_ sequence: UInt64, at t: Int64, count: UInt64) -> PodSummary {
            let h1 = HistogramValue(bounds: [1, 2], bucketCounts: [.integer(count), .integer(count), .integer(count)],
                                    sum: 1, count: .integer(count))
            let h2 = HistogramValue(bounds: [5], bucketCounts: [.integer(1), .integer(1)], sum: 1, count: .integer(1))
            return PodSummary(pod: "p", namespace: "shop", agentInstance: "a", sequence: sequence, timestampMilliseconds: t,
                              families: [
                                SummaryFamily(name: "h", kind: .histogram, series: [
                                    SummarySeries(labels: labels, value: .histogram(h1)),
                                    SummarySeries(labels: labels, value: .histogram(h2)),
                                ]),
                                SummaryFamily(name: "h", kind: .counter, series: [SummarySeries(labels: labels, value: .counter(.integer(9)))]),
                              ])
        }
        _ = store.ingest(summary(1, at: now - 10_000, count: 1), now: now)
        _ = store.ingest(summary(2, at: now - 5_000, count: 4), now: now)
        _ = store.ingest(summary(3, at: now, count: 6), now: now)
        #expect(store.seriesCount == 1)
        let id = store.select(.pod, name: "h", matching: []).first!
        #expect(store.stored(.pod, id).bounds == [1, 2])
        #expect(store.total(.pod, id, from: now - 60_000, to: now).last == 5)
    }

    @Test("a negative counter reading is skipped: the next good one counts from the last good one")
    func negativeCounterReading() {
        var store = WindowedStore()
        var pod = webPod()
        pod.serve(100)
        _ = store.ingest(pod.push(at: now - 15_000), now: now)
        pod.requests["200"] = .float(-5)
        _ = store.ingest(pod.push(at: now - 10_000), now: now)
        pod.requests["200"] = .integer(130)
        _ = store.ingest(pod.push(at: now - 5_000), now: now)
        let id = store.select(.rollup, name: requestsTotal, matching: []).first!
        #expect(store.total(.rollup, id, from: now - 60_000, to: now)[0] == 30)
    }
}
