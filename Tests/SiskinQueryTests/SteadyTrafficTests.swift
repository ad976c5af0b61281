import SiskinAggregation
import SiskinIngest
import SiskinQuery
import SiskinStore
import SiskinTesting
import Testing

/// A pod serving at a constant rate, pushing every 5 s at its own phase.
struct SteadyPod {
    var pod: IstioPod
    /// Requests per second.
    var rate: Double
    /// Share of requests answered 503.
    var errorShare: Double
    /// Cumulative count at `t0 - 1 h` (Envoy has been running for a while).
    var offset: UInt64
    /// First push time.
    var phase: Int64

    /// Sets the pod's cumulative counters to their values at `t`.
    mutating func advance(to t: Int64) {
        let served = rate * Double(t - (t0 - 3_600_000)) / 1_000
        let failed = (served * errorShare).rounded(.down)
        pod.requests["200"] = .integer(offset + UInt64((served - failed).rounded(.down)))
        pod.requests["503"] = .integer(offset / 100 + UInt64(failed))
    }
}

@Suite("Steady traffic: rates as accurate as the pushes allow")
struct SteadyTrafficTests {
    @Test("with pushes every 5 s at random phases across 20 pods, the 1 minute rate is within 1% of the truth",
          arguments: [11, 12, 13] as [UInt64])
    func oneMinuteRateWithinOnePercent(seed: UInt64) {
        var random = SeededRandom(seed: seed)
        var pods: [SteadyPod] = (0..<20).map { i in
            SteadyPod(pod: IstioPod(pod: "podinfo-7d9c8b6f5d-p\(1_000 + i)", namespace: "test", workload: "podinfo"),
                      rate: 5 + Double(random.below(19_500)) / 100,
                      errorShare: Double(random.below(50)) / 1_000,
                      offset: random.below(1 << 40),
                      phase: t0 + Int64(random.below(5_000)))
        }
        let truth = pods.reduce(0) { $0 + $1.rate }
        let truthSuccess = pods.reduce(0) { $0 + $1.rate * (1 - $1.errorShare) } / truth

        // Every push of every pod over 5 minutes, in time order.
        var events: [(time: Int64, pod: Int)] = []
        for (i, p) in pods.enumerated() {
            for k in 0..<60 { events.append((p.phase + Int64(k) * 5_000, i)) }
        }
        events.sort { ($0.time, $0.pod) < ($1.time, $1.pod) }

        var store = WindowedStore()
        let querier = WorkloadQuerier()
        var worst = 0.0, worstPod = 0.0
        var queries = 0
        for (time, i) in events {
            pods[i].advance(to: time)
            store.push(pods[i].pod.push(at: time))
            guard time >= t0 + 90_000, time % 3 == 0 else { continue }
            let report = querier.answer(WorkloadQuery(namespace: "test", workload: "podinfo", at: time),
                                        store: store, now: time)
            queries += 1
            let error = abs(report.requestRate - truth) / truth
            worst = max(worst, error)
            #expect(error < 0.01, "rate \(report.requestRate) vs \(truth) at +\(time - t0) ms")
            #expect(abs((report.successRate ?? 0) - truthSuccess) < 0.001)
            #expect(report.pods.count == 20)
            for podRate in report.pods {
                let p = pods.first { $0.pod.pod == podRate.pod }!
                worstPod = max(worstPod, abs(podRate.requestRate - p.rate) / p.rate)
            }
        }
        #expect(queries > 50)
        #expect(worstPod < 0.01, "worst per-pod error \(worstPod)")
        #expect(worst < 0.01, "worst error \(worst)")
    }
}
