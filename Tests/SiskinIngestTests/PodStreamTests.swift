import SiskinAggregation
import SiskinIngest
import SiskinTesting
import Testing

/// A push time: 2023-11-14T22:13:20Z, on a 5 s boundary.
let t0: Int64 = 1_700_000_000_000

func webPod() -> IstioPod { IstioPod(pod: "web-6f7d8c9b5d-k2x7p", workload: "web") }

@Suite("Pod streams: cumulative pushes become reset-aware increases")
struct PodStreamTests {
    @Test("the first push is a baseline: it registers every series and counts nothing")
    func firstPushIsBaseline() throws {
        var pod = webPod()
        pod.serve(100, latency: 20)
        pod.serve(3, code: "503", latency: 300)
        let harness = StreamHarness()
        let first = try #require(harness.accept(pod.push(at: t0)))
        #expect(first.kind == .baseline)
        #expect(first.values.isEmpty)
        #expect(first.newKeys == [pod.requestsKey(code: "200"), pod.requestsKey(code: "503"),
                                  pod.durationKey(code: "200"), pod.durationKey(code: "503")])
        #expect(first.increments.fromMilliseconds == t0)
        #expect(first.increments.toMilliseconds == t0)
        #expect(harness.stream?.seriesCount == 4)
        #expect(harness.stream?.sinceMilliseconds == t0)
    }

    @Test("the next push yields the exact difference of every series over the interval between the two pushes")
    func nextPushYieldsDifferences() throws {
        var pod = webPod()
        pod.serve(100, latency: 20)
        pod.serve(3, code: "503", latency: 300)
        let harness = StreamHarness()
        _ = try #require(harness.accept(pod.push(at: t0)))

        pod.serve(150, latency: 3)
        pod.serve(40, latency: 700)
        pod.serve(2, code: "503", latency: 3_000)
        let next = try #require(harness.accept(pod.push(at: t0 + 5_000)))

        #expect(next.kind == .increase)
        #expect(next.increments.fromMilliseconds == t0)
        #expect(next.increments.toMilliseconds == t0 + 5_000)
        #expect(next.resets == 0)
        #expect(next.newKeys.isEmpty)
        #expect(next.values[pod.requestsKey(code: "200")] == [190])
        #expect(next.values[pod.requestsKey(code: "503")] == [2])
        var ok = Durations()
        ok.observe(3, times: 150)
        ok.observe(700, times: 40)
        #expect(next.values[pod.durationKey(code: "200")] == ok.storeValues)
        var failed = Durations()
        failed.observe(3_000, times: 2)
        #expect(next.values[pod.durationKey(code: "503")] == failed.storeValues)
    }

    @Test("a series that did not move yields a zero increase")
    func unchangedSeriesYieldsZero() throws {
        var pod = webPod()
        pod.serve(100, latency: 20)
        let harness = StreamHarness()
        _ = try #require(harness.accept(pod.push(at: t0)))
        let next = try #require(harness.accept(pod.push(at: t0 + 5_000)))
        #expect(next.values[pod.requestsKey(code: "200")] == [0])
        #expect(next.values[pod.durationKey(code: "200")] == Durations().storeValues)
    }

    @Test("a counter that goes down within one agent counts as restarted from zero: never negative, never doubled")
    func counterResetCountsNewValue() throws {
        var pod = webPod()
        let key = pod.requestsKey(code: "200")
        pod.requests["200"] = .integer(1_000)
        let harness = StreamHarness()
        _ = try #require(harness.accept(pod.push(at: t0)))
        pod.requests["200"] = .integer(1_200)
        #expect(harness.accept(pod.push(at: t0 + 5_000))?.values[key] == [200])

        // Envoy restarted and has served 30 requests since.
        pod.requests["200"] = .integer(30)
        let reset = try #require(harness.accept(pod.push(at: t0 + 10_000)))
        #expect(reset.kind == .increase)
        #expect(reset.values[key] == [30])
        #expect(reset.resets == 1)

        pod.requests["200"] = .integer(45)
        let after = try #require(harness.accept(pod.push(at: t0 + 15_000)))
        #expect(after.values[key] == [15])
        #expect(after.resets == 0)
    }

    @Test("a histogram whose count or any single bucket went down restarts as a whole")
    func histogramResetsAsWhole() throws {
        var pod = webPod()
        let key = pod.durationKey(code: "200")
        pod.serve(50, latency: 3)
        pod.serve(50, latency: 700)
        let harness = StreamHarness()
        _ = try #require(harness.accept(pod.push(at: t0)))

        // Envoy restarted: four fast requests since, so the count went down.
        var restarted = Durations()
        restarted.observe(3, times: 4)
        pod.durations["200"] = restarted
        pod.requests["200"] = .integer(4)
        let reset = try #require(harness.accept(pod.push(at: t0 + 5_000)))
        #expect(reset.values[key] == restarted.storeValues)
        #expect(reset.values[pod.requestsKey(code: "200")] == [4])
        #expect(reset.resets == 2)

        // Restarted again: the count rose (4 → 10) but the le=5 bucket fell (4 → 0).
        var shifted = Durations()
        shifted.observe(700, times: 10)
        pod.durations["200"] = shifted
        let second = try #require(harness.accept(pod.push(at: t0 + 10_000)))
        #expect(second.values[key] == shifted.storeValues)
        #expect(second.values[pod.requestsKey(code: "200")] == [0])
        #expect(second.resets == 1)
    }

    @Test("a series first seen after the baseline counts whole: Envoy creates series at zero")
    func newSeriesCountsWhole() throws {
        var pod = webPod()
        pod.serve(100)
        let harness = StreamHarness()
        _ = try #require(harness.accept(pod.push(at: t0)))

        pod.serve(10)
        pod.serve(7, code: "503", latency: 40)
        let next = try #require(harness.accept(pod.push(at: t0 + 5_000)))
        #expect(next.kind == .increase)
        #expect(next.newKeys == [pod.requestsKey(code: "503"), pod.durationKey(code: "503")])
        #expect(next.values[pod.requestsKey(code: "200")] == [10])
        #expect(next.values[pod.requestsKey(code: "503")] == [7])
        #expect(next.values[pod.durationKey(code: "503")] == pod.durations["503"]!.storeValues)
    }

    @Test("a gauge carries its latest value, at the baseline too, and going down is no reset")
    func gaugesCarryLatestValue() throws {
        var pod = webPod()
        pod.serve(1)
        let gaugeLabels = [Label("namespace", pod.namespace), Label("pod", pod.pod)]
        func connections(_ value: Double) -> [SummaryFamily] {
            [SummaryFamily(name: "envoy_server_active_connections", kind: .gauge,
                           series: [SummarySeries(labels: gaugeLabels, value: .gauge(value))])]
        }
        let key = SeriesKey(name: "envoy_server_active_connections", labels: gaugeLabels)
        let harness = StreamHarness()
        pod.extraFamilies = connections(7)
        let first = try #require(harness.accept(pod.push(at: t0)))
        #expect(first.values == [key: [7]])

        pod.extraFamilies = connections(4)
        let next = try #require(harness.accept(pod.push(at: t0 + 5_000)))
        #expect(next.values[key] == [4])
        #expect(next.increments.increments.first { next.increments.values(of: $0) == [4] }?.kind == .gauge)
        #expect(next.resets == 0)
    }

    @Test("a retried push with a sequence already applied is ignored and changes nothing")
    func duplicateSequenceIgnored() throws {
        var pod = webPod()
        let key = pod.requestsKey(code: "200")
        pod.serve(100, latency: 20)
        let harness = StreamHarness()
        let first = pod.push(at: t0)
        _ = try #require(harness.accept(first))
        pod.serve(50, latency: 20)
        let second = pod.push(at: t0 + 5_000)
        #expect(harness.accept(second)?.values[key] == [50])

        #expect(harness.ignored(second) == .duplicate(sequence: 2, last: 2))
        #expect(harness.ignored(first) == .duplicate(sequence: 1, last: 2))
        // Even a retry carrying other values (and a newer clock) is the same push.
        var other = pod
        other.serve(999_999, latency: 20)
        let tampered = other.summary(sequence: 2, at: t0 + 7_000)
        #expect(harness.ignored(tampered) == .duplicate(sequence: 2, last: 2))

        pod.serve(25, latency: 20)
        let third = try #require(harness.accept(pod.push(at: t0 + 10_000)))
        #expect(third.values[key] == [25])
        #expect(third.increments.fromMilliseconds == t0 + 5_000)
        #expect(harness.stream?.sequence == 3)
        #expect(harness.stream?.pushes == 3)
    }

    @Test("a push older than the last applied one is ignored, whichever agent instance sent it")
    func olderTimestampIgnored() throws {
        var pod = webPod()
        let key = pod.requestsKey(code: "200")
        pod.serve(100)
        let harness = StreamHarness()
        _ = try #require(harness.accept(pod.push(at: t0)))
        pod.serve(50)
        _ = try #require(harness.accept(pod.push(at: t0 + 10_000)))

        pod.serve(1_000)
        let late = pod.summary(sequence: 3, at: t0 + 5_000)
        #expect(harness.ignored(late) == .outOfOrder(timestamp: t0 + 5_000, last: t0 + 10_000))
        var other = pod
        other.agentInstance = "agent-2"
        #expect(harness.ignored(other.summary(sequence: 1, at: t0 + 5_000)) == .outOfOrder(timestamp: t0 + 5_000, last: t0 + 10_000))
        #expect(harness.ignored(other.summary(sequence: 1, at: t0 + 10_000)) == .outOfOrder(timestamp: t0 + 10_000, last: t0 + 10_000))
        #expect(harness.stream?.agentInstance == "agent-1")
        #expect(harness.stream?.sequence == 2)

        // The next push in order counts from the last applied one.
        let next = try #require(harness.accept(pod.summary(sequence: 3, at: t0 + 15_000)))
        #expect(next.values[key] == [1_000])
        #expect(next.increments.fromMilliseconds == t0 + 10_000)
    }

    @Test("a restarted agent continues from the last push: nothing lost, nothing counted twice")
    func newAgentInstanceContinues() throws {
        var pod = webPod()
        let key = pod.requestsKey(code: "200")
        pod.serve(1_000, latency: 20)
        let harness = StreamHarness()
        _ = try #require(harness.accept(pod.push(at: t0)))
        pod.serve(100, latency: 20)
        let old = pod.push(at: t0 + 5_000)
        #expect(harness.accept(old)?.values[key] == [100])

        // The agent restarts with a new id and sequence 1; Envoy kept counting.
        pod.agentInstance = "agent-2"
        pod.sequence = 0
        pod.serve(60, latency: 20)
        let resumed = try #require(harness.accept(pod.push(at: t0 + 15_000)))
        #expect(resumed.kind == .increase)
        #expect(resumed.increments.fromMilliseconds == t0 + 5_000)
        #expect(resumed.increments.toMilliseconds == t0 + 15_000)
        #expect(resumed.values[key] == [60])
        var expected = Durations()
        expected.observe(20, times: 60)
        #expect(resumed.values[pod.durationKey(code: "200")] == expected.storeValues)
        #expect(resumed.resets == 0)
        #expect(harness.stream?.agentInstance == "agent-2")

        // A late retry from the old instance is ignored; the new one goes on.
        #expect(harness.ignored(old) == .outOfOrder(timestamp: t0 + 5_000, last: t0 + 15_000))
        pod.serve(5, latency: 20)
        #expect(harness.accept(pod.push(at: t0 + 20_000))?.values[key] == [5])
    }

    @Test("when Envoy and the agent restart together, the lower values count as restarted from zero")
    func newAgentInstanceAfterEnvoyRestartCountsReset() throws {
        var pod = webPod()
        let key = pod.requestsKey(code: "200")
        pod.serve(1_000)
        let harness = StreamHarness()
        _ = try #require(harness.accept(pod.push(at: t0)))
        pod.agentInstance = "agent-2"
        pod.sequence = 0
        pod.requests["200"] = .integer(40)
        let next = try #require(harness.accept(pod.push(at: t0 + 5_000)))
        #expect(next.kind == .increase)
        #expect(next.values[key] == [40])
        #expect(next.resets == 1)
    }

    @Test("a new agent after the old one saw Envoy restart starts a baseline: their values cannot be related")
    func newAgentInstanceAfterSeenEnvoyRestartIsBaseline() throws {
        var pod = webPod()
        let key = pod.requestsKey(code: "200")
        pod.metadata = [Label("agent_envoy_restarts_total", "0")]
        pod.serve(1_000)
        let harness = StreamHarness()
        _ = try #require(harness.accept(pod.push(at: t0)))

        // Envoy restarts; the agent corrects for it (its values keep rising) and says so.
        pod.metadata = [Label("agent_envoy_restarts_total", "1")]
        pod.serve(50)
        #expect(harness.accept(pod.push(at: t0 + 5_000))?.values[key] == [50])

        // The agent restarts: it now reports Envoy's own (lower, unrelated) values.
        pod.agentInstance = "agent-2"
        pod.sequence = 0
        pod.metadata = [Label("agent_envoy_restarts_total", "0")]
        pod.requests["200"] = .integer(30)
        let rebased = try #require(harness.accept(pod.push(at: t0 + 10_000)))
        #expect(rebased.kind == .baseline)
        #expect(rebased.values.isEmpty)
        #expect(rebased.resets == 0)
        #expect(rebased.increments.fromMilliseconds == t0 + 10_000)
        #expect(rebased.increments.toMilliseconds == t0 + 10_000)

        pod.serve(20)
        let next = try #require(harness.accept(pod.push(at: t0 + 15_000)))
        #expect(next.kind == .increase)
        #expect(next.values[key] == [20])
        #expect(next.increments.fromMilliseconds == t0 + 10_000)
    }

    @Test("a restart count of zero in the old agent's metadata does not stop a new agent from continuing")
    func zeroEnvoyRestartsContinues() throws {
        var pod = webPod()
        pod.metadata = [Label("agent_version", "0.1.0"), Label("agent_envoy_restarts_total", "0")]
        pod.serve(1_000)
        let harness = StreamHarness()
        _ = try #require(harness.accept(pod.push(at: t0)))
        pod.agentInstance = "agent-2"
        pod.sequence = 0
        pod.serve(10)
        let next = try #require(harness.accept(pod.push(at: t0 + 5_000)))
        #expect(next.kind == .increase)
        #expect(next.values[pod.requestsKey(code: "200")] == [10])
    }

    @Test("lost pushes need nothing: the next cumulative push covers the gap exactly")
    func lostPushesCoveredByNext() throws {
        var pod = webPod()
        pod.serve(100, latency: 20)
        let harness = StreamHarness()
        _ = try #require(harness.accept(pod.push(at: t0)))
        pod.serve(50, latency: 20)
        _ = try #require(harness.accept(pod.push(at: t0 + 5_000)))
        let before = pod.durations["200"]!

        // Sequences 3 and 4 never arrive.
        pod.serve(70, latency: 3)
        _ = pod.push(at: t0 + 10_000)
        pod.serve(80, latency: 700)
        _ = pod.push(at: t0 + 15_000)
        pod.serve(90, latency: 20)
        let next = try #require(harness.accept(pod.push(at: t0 + 20_000)))
        #expect(harness.stream?.sequence == 5)
        #expect(next.kind == .increase)
        #expect(next.increments.fromMilliseconds == t0 + 5_000)
        #expect(next.increments.toMilliseconds == t0 + 20_000)
        #expect(next.values[pod.requestsKey(code: "200")] == [240])
        let after = pod.durations["200"]!
        let expected = zip(after.storeValues, before.storeValues).map { $0 - $1 }
        #expect(next.values[pod.durationKey(code: "200")] == expected)
        #expect(expected.last == 240)
    }

    @Test("a non-finite reading counts nothing and does not poison later increases")
    func nonFiniteReadingsDoNotPoison() throws {
        var pod = webPod()
        let counter = pod.requestsKey(code: "200")
        let histogram = pod.durationKey(code: "200")
        pod.serve(100, latency: 20)
        let harness = StreamHarness()
        _ = try #require(harness.accept(pod.push(at: t0)))

        // Ten requests happen, but the counter and the histogram sum read NaN.
        pod.serve(10, latency: 20)
        let good = pod.requests["200"]!
        pod.requests["200"] = .float(.nan)
        pod.durations["200"]!.sum = .nan
        let broken = try #require(harness.accept(pod.push(at: t0 + 5_000)))
        #expect(broken.values[counter] == [0])
        let brokenHistogram = try #require(broken.values[histogram])
        #expect(brokenHistogram.allSatisfy { $0.isFinite })
        #expect(brokenHistogram.last == 10)
        #expect(brokenHistogram[brokenHistogram.count - 2] == 0)
        #expect(broken.resets == 0)

        // An infinite counter is no better.
        pod.requests["200"] = .float(.infinity)
        let infinite = try #require(harness.accept(pod.push(at: t0 + 10_000)))
        #expect(infinite.values[counter] == [0])

        // Readable again: the increase is measured from the last good reading.
        pod.requests["200"] = good
        pod.serve(20)
        var durations = Durations()
        durations.observe(20, times: 130)
        pod.durations["200"] = durations
        let healed = try #require(harness.accept(pod.push(at: t0 + 15_000)))
        #expect(healed.values[counter] == [30])
        let healedHistogram = try #require(healed.values[histogram])
        #expect(healedHistogram.last == 20)
        // Sum of the 30 requests since the baseline (10 of them hidden by the NaN).
        #expect(healedHistogram[healedHistogram.count - 2] == 600)
        #expect(healed.resets == 0)
    }

    @Test("a series absent for fewer than 60 pushes continues from its last value when it returns")
    func briefAbsenceContinues() throws {
        var pod = webPod()
        pod.serve(100)
        pod.serve(5, code: "503")
        let harness = StreamHarness()
        _ = try #require(harness.accept(pod.push(at: t0)))
        var without = pod
        without.requests["503"] = nil
        for i in 1...59 {
            let pushed = try #require(harness.accept(without.push(at: t0 + Int64(i) * 5_000)))
            #expect(pushed.retiredKeys.isEmpty)
        }
        pod.sequence = without.sequence
        pod.serve(4, code: "503")
        let back = try #require(harness.accept(pod.push(at: t0 + 60 * 5_000)))
        #expect(back.newKeys.isEmpty)
        #expect(back.values[pod.requestsKey(code: "503")] == [4])
    }

    @Test("a series absent for 60 pushes leaves the store; if it returns it is registered again and counts what it gained")
    func longAbsenceRetires() throws {
        var pod = webPod()
        pod.serve(100)
        pod.serve(5, code: "503")
        let harness = StreamHarness()
        _ = try #require(harness.accept(pod.push(at: t0)))
        #expect(harness.stream?.seriesCount == 2)
        var without = pod
        without.requests["503"] = nil
        for i in 1...60 {
            let pushed = try #require(harness.accept(without.push(at: t0 + Int64(i) * 5_000)))
            if i < 60 {
                #expect(pushed.retiredKeys.isEmpty, "push \(i)")
            } else {
                #expect(pushed.retiredKeys == [pod.requestsKey(code: "503")])
            }
        }
        #expect(harness.stream?.seriesCount == 1)
        #expect(PodStream.forgetAfterPushes == 60)

        pod.sequence = without.sequence
        pod.serve(4, code: "503")
        let back = try #require(harness.accept(pod.push(at: t0 + 61 * 5_000)))
        #expect(back.newKeys == [pod.requestsKey(code: "503")])
        #expect(back.values[pod.requestsKey(code: "503")] == [4])
        #expect(harness.stream?.seriesCount == 2)
    }

    @Test("a series absent for an hour of pushes is forgotten entirely: if it returns it counts whole, as new")
    func veryLongAbsenceForgets() throws {
        var pod = webPod()
        pod.serve(100)
        pod.serve(5, code: "503")
        let harness = StreamHarness()
        _ = try #require(harness.accept(pod.push(at: t0)))
        var without = pod
        without.requests["503"] = nil
        for i in 1...PodStream.dropAfterPushes {
            _ = try #require(harness.accept(without.push(at: t0 + Int64(i) * 5_000)))
        }
        pod.sequence = without.sequence
        pod.serve(4, code: "503")
        let back = try #require(harness.accept(pod.push(at: t0 + Int64(PodStream.dropAfterPushes + 1) * 5_000)))
        #expect(back.newKeys == [pod.requestsKey(code: "503")])
        #expect(back.values[pod.requestsKey(code: "503")] == [9])
    }

    @Test("over any mix of resets, lost pushes, retries and agent restarts, increments add up to the truth",
          arguments: [1, 2, 3, 4, 5, 6, 7, 8] as [UInt64])
    func randomHistories(seed: UInt64) throws {
        var random = SeededRandom(seed: seed)
        var pod = webPod()
        var envoy = 1_000 + random.below(1_000)
        pod.requests["200"] = .integer(envoy)
        let key = pod.requestsKey(code: "200")
        let harness = StreamHarness()
        var delivered: [PodSummary] = [pod.push(at: t0)]
        _ = try #require(harness.accept(delivered[0]))
        var truth: UInt64 = 0
        var counted = 0.0
        var previousDelivered = true
        var resets = 0
        for step in 1...500 {
            let served = random.below(50)
            // Envoy restarts only where the stream can tell (the value drops and
            // both pushes around it arrive), as for Prometheus' rate().
            let restart = previousDelivered && envoy >= 50 && random.oneIn(15)
            envoy = restart ? served : envoy + served
            truth += served
            if random.oneIn(25) {
                pod.agentInstance = "agent-restarted-at-\(step)"
                pod.sequence = 0
            }
            pod.requests["200"] = .integer(envoy)
            let summary = pod.push(at: t0 + Int64(step) * 5_000)
            let lost = !restart && random.oneIn(4)
            previousDelivered = !lost
            if lost { continue }
            let pushed = try #require(harness.accept(summary))
            #expect(pushed.kind == .increase)
            let increase = try #require(pushed.values[key]?.first)
            #expect(increase >= 0)
            counted += increase
            // Every delivered push brings the count up to the truth so far.
            #expect(counted == Double(truth), "step \(step)")
            resets += pushed.resets
            delivered.append(summary)
            // Retries and late pushes: any earlier delivered push, again.
            if random.oneIn(3) {
                let retry = delivered[Int(random.below(UInt64(delivered.count)))]
                #expect(harness.ignored(retry) != nil)
            }
        }
        #expect(resets > 0)
        #expect(delivered.count > 300)
    }
}
