import SiskinAggregation
import SiskinExport
import SiskinStore
import SiskinTesting
import Testing

/// The running totals across a restart: a collector restored from a checkpoint,
/// with the samples already queued suppressed, emits exactly what one that never
/// stopped would have, so the receiver sees no counter reset and no sample twice.
@Suite("Remote write running totals: saved, restored, continued")
struct TotalsCheckpointTests {
    typealias Fleet = CollectorTests.Fleet
    static let t0 = CollectorTests.t0

    /// Samples per label set, in order.
    static func byLabels(_ series: [ExportSeries]) -> [[ExportLabel]: [ExportSample]] {
        var out: [[ExportLabel]: [ExportSample]] = [:]
        for s in series { out[s.labels, default: []] += s.samples }
        return out
    }

    @Test("restored from a checkpoint 6 slots old, with 3 of them already queued, the samples continue exactly as without a restart")
    func restartContinues() throws {
        var fleet = Fleet()
        let labels = [ExportLabel("cluster", "c")]
        var steady = CumulativeCollector(selection: ExportSelection(), externalLabels: labels)
        var crashed = CumulativeCollector(selection: ExportSelection(), externalLabels: labels)
        var reference: [ExportSeries] = []
        var received: [ExportSeries] = []
        var checkpoint: [UInt8] = []
        var queuedThrough: Int64 = 0
        var t = Self.t0
        fleet.push(at: t, traffic: false)
        for step in 1...12 {
            reference += steady.collectSeries(fleet.store, now: t)
            let batch = crashed.collectSeries(fleet.store, now: t)
            received += batch
            if step == 4 { checkpoint = crashed.checkpoint(slotMilliseconds: 5000) }
            // The process dies after queueing step 7's samples; steps 8-12 still happen in the store.
            if step == 7 { queuedThrough = try #require(crashed.exportedThrough(fleet.store)) }
            if step >= 7 { break }
            t += 5000
            fleet.push(at: t)
        }
        // The store goes on (its own restart safety is SiskinStoreTests' business).
        for _ in 8...12 {
            t += 5000
            fleet.push(at: t)
            reference += steady.collectSeries(fleet.store, now: t)
        }
        // `received` holds what reached the queue before the crash: keep only that.
        received = received.compactMap { s in
            let kept = s.samples.filter { $0.timestamp <= queuedThrough }
            return kept.isEmpty ? nil : ExportSeries(labels: s.labels, samples: kept)
        }

        var restarted = CumulativeCollector(selection: ExportSelection(), externalLabels: labels)
        try restarted.restore(checkpoint, slotMilliseconds: 5000)
        restarted.suppressThrough = queuedThrough
        var after: [ExportSeries] = []
        repeat {
            after += restarted.collectSeries(fleet.store, now: t)
        } while restarted.isBehind
        #expect(after.allSatisfy { $0.samples.allSatisfy { $0.timestamp > queuedThrough } })
        let combined = Self.byLabels(received + after)
        let expected = Self.byLabels(reference)
        #expect(combined.count == expected.count)
        #expect(combined == expected)
        // Counters continue upward: no sample lower than the one before it.
        for samples in combined.values { #expect(zip(samples, samples.dropFirst()).allSatisfy { $0.value <= $1.value && $0.timestamp < $1.timestamp }) }
        #expect(restarted.exportedThrough(fleet.store) == steady.exportedThrough(fleet.store))
        // And the next slot comes out the same from both.
        fleet.push(at: t + 5000)
        #expect(Self.byLabels(restarted.collectSeries(fleet.store, now: t + 5000)) == Self.byLabels(steady.collectSeries(fleet.store, now: t + 5000)))
    }

    @Test("a checkpoint round-trips; a damaged one or one for another slot width is refused and changes nothing")
    func damagedCheckpoint() throws {
        var fleet = Fleet()
        var collector = CumulativeCollector(selection: ExportSelection())
        fleet.push(at: Self.t0, traffic: false)
        _ = collector.collectSeries(fleet.store, now: Self.t0)
        fleet.push(at: Self.t0 + 5000)
        _ = collector.collectSeries(fleet.store, now: Self.t0 + 5000)
        let bytes = collector.checkpoint(slotMilliseconds: 5000)

        var copy = CumulativeCollector(selection: ExportSelection())
        try copy.restore(bytes, slotMilliseconds: 5000)
        #expect(copy.lastSlot == collector.lastSlot)
        #expect(copy.checkpoint(slotMilliseconds: 5000).count == bytes.count)

        var fresh = CumulativeCollector(selection: ExportSelection())
        #expect(throws: CumulativeCollector.CheckpointError.self) { try fresh.restore(bytes, slotMilliseconds: 1000) }
        for position in [0, 9, bytes.count / 2, bytes.count - 1] {
            var damaged = bytes
            damaged[position] ^= 0x01
            #expect(throws: CumulativeCollector.CheckpointError.self) { try fresh.restore(damaged, slotMilliseconds: 5000) }
        }
        #expect(throws: CumulativeCollector.CheckpointError.self) { try fresh.restore(Array(bytes.prefix(bytes.count - 9)), slotMilliseconds: 5000) }
        #expect(fresh.lastSlot == nil)
        #expect(fresh.trackedSeries == 0)
    }
}
