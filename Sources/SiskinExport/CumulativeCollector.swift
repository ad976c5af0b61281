import SiskinAggregation
import SiskinIngest
import SiskinStore

/// Turns the store's increases into cumulative counters a remote-write
/// receiver can `rate()`.
///
/// For each exported series it keeps a running total: the sum of the
/// increases since the collector first saw the series, starting at 0 (the
/// receiver sees a new counter, like a new scrape target: one reset at
/// start, which `rate()` handles). Every call reads the pod-level slots that
/// became complete since the last call (behind the store's watermark, so no
/// pod still owes increases to them), adds them to the totals and emits one
/// sample per series per slot, stamped at the slot's end. Rollups are summed
/// from the pod-level slots at the same resolution (`--slot`), which is
/// what Siskin itself answers Flagger's windows from.
///
/// A series seen for the first time also gets a 0 sample at the start of its
/// first slot, so the receiver's `rate()` counts its first slot's increase
/// (as Prometheus does for a counter that starts at zero).
///
/// Not thread-safe; `RemoteWriteExporter` serialises calls.
public struct CumulativeCollector: Sendable {
    public let selection: ExportSelection
    public let externalLabels: [ExportLabel]

    /// The last slot exported (absolute index of the store's slot clock).
    public internal(set) var lastSlot: Int64?
    var totals: [Target: Entry] = [:]

    /// How many slots a total is kept after its series was last seen, so a
    /// series that comes back within it continues instead of restarting.
    private let forgetAfterSlots: Int64

    /// Totals read back from a checkpoint (`restore`), waiting for their
    /// series to show up in the store again (ids are the store's, not
    /// persisted: totals are matched by key).
    var restored: [Identity: Entry] = [:]

    /// Samples stamped at or before this (ms) are not emitted, only added to
    /// the totals: after a restart they are already in the queue on disk.
    public var suppressThrough: Int64?

    /// Whether the last `collect` stopped short of the watermark (it reads at
    /// most `maxSlotsPerCollect` slots per call); call again.
    public private(set) var isBehind = false

    /// Slots read per call: a restart re-collects the slots since the last
    /// checkpoint, and the increases of every series for every slot read are
    /// held at once.
    public static let maxSlotsPerCollect: Int64 = 8

    /// A series by level and key, as totals are matched after a restart.
    struct Identity: Hashable {
        var rollup: Bool
        var key: SeriesKey
    }

    /// A stored series by level and id: cheap to hash under the store's
    /// lock. Ids are reused after a series is purged, so entries keep the
    /// key they were made for and start over when it differs.
    struct Target: Hashable {
        var rollup: Bool
        var id: Int
    }

    struct Entry {
        var key: SeriesKey
        var kind: MetricKind
        var bounds: [Double]
        var values: [Double]
        var lastSeen: Int64
        /// The Prometheus label sets of its values (canonical, external
        /// labels included), built once: they never change.
        var labelSets: [[ExportLabel]]
    }

    /// What one collection found: per series, its samples (one list per
    /// value: a counter's one, a histogram's buckets, sum and count).
    /// Expanded into Prometheus series by `series(externalLabels:)`,
    /// outside the store's lock.
    public struct Batch: Sendable {
        struct Item: Sendable {
            var labelSets: [[ExportLabel]]
            var samples: [[ExportSample]]
        }

        var items: [Item] = []
        public var isEmpty: Bool { items.isEmpty }
        public var sampleCount: Int { items.reduce(0) { $0 + $1.samples.reduce(0) { $0 + $1.count } } }
    }

    /// Samples are stamped only at slot ends that are multiples of this
    /// (ms): the totals still advance every slot, so a coarser interval
    /// loses resolution, never counts. 0 or the slot width: every slot.
    public let intervalMilliseconds: Int64

    public init(
        selection: ExportSelection, externalLabels: [ExportLabel] = [], intervalMilliseconds: Int64 = 0,
        forgetAfterSlots: Int64 = 720
    ) {
        self.selection = selection
        self.externalLabels = externalLabels
        self.intervalMilliseconds = max(0, intervalMilliseconds)
        self.forgetAfterSlots = forgetAfterSlots
    }

    /// Series with a running total.
    public var trackedSeries: Int { totals.count }

    /// The end (ms) of the last slot exported.
    public func exportedThrough(_ store: borrowing WindowedStore) -> Int64? {
        lastSlot.map { store.clock.end(of: $0) }
    }

    /// `collect(_:now:)` expanded into Prometheus series at once.
    public mutating func collectSeries(_ store: borrowing WindowedStore, now: Int64) -> [ExportSeries] {
        Self.series(collect(store, now: now))
    }

    /// Reads the slots completed since the last call and returns their samples.
    /// The first call with data exports only the newest complete slot: what
    /// happened before the exporter started (or before a restart) is not
    /// re-sent, since a receiver would reject it as out of order.
    public mutating func collect(_ store: borrowing WindowedStore, now: Int64) -> Batch {
        let mark = store.watermark(now: now)
        guard mark != .min, store.dataSince != .max else { return Batch() }
        let clock = store.clock
        // The last slot that ends at or before the watermark.
        let latest = clock.slot(containing: clock.start(of: clock.slot(containing: mark + 1)))
        var first = lastSlot.map { $0 + 1 } ?? latest
        guard latest >= first else {
            isBehind = false
            return Batch()
        }
        // Slots older than the pod-level detail are gone from the store.
        let retained = max(1, store.configuration.detailRetentionMilliseconds / clock.slotMilliseconds)
        if latest - first + 1 > retained { first = latest - retained + 1 }
        let newest = min(latest, first + Self.maxSlotsPerCollect - 1)
        isBehind = newest < latest
        let count = Int(newest - first + 1)
        // The slots (by index from `first`) whose end gets a sample.
        let emitted = (0..<count).filter { index in
            intervalMilliseconds <= clock.slotMilliseconds || clock.end(of: first + Int64(index)) % intervalMilliseconds == 0
        }

        // Increases per target, slot-major: deltas[target][slot * width + i].
        var deltas: [Target: [Double]] = [:]
        var scratch: [Double] = []
        for id in store.series.indices {
            let s = store.series[id]
            guard s.live, s.kind != .gauge else { continue }
            let target: Target
            if selection.perPod(s.key.name) {
                target = Target(rollup: false, id: id)
            } else {
                guard s.rollup >= 0 else { continue }
                target = Target(rollup: true, id: s.rollup)
            }
            let width = s.width
            if scratch.count != width { scratch = [Double](repeating: 0, count: width) }
            deltas[target, default: [Double](repeating: 0, count: count * width)].withUnsafeMutableBufferPointer { buffer in
                guard buffer.count == count * width else { return }
                for index in 0..<count {
                    for i in 0..<width { scratch[i] = 0 }
                    s.ring.accumulate(slot: first + Int64(index), fraction: 1, into: &scratch)
                    let base = index * width
                    for i in 0..<width { buffer[base + i] += scratch[i] }
                }
            }
        }

        var batch = Batch()
        batch.items.reserveCapacity(deltas.count)
        for (target, delta) in deltas {
            let stored = target.rollup ? store.rollups[target.id] : store.series[target.id]
            let width = stored.width
            var entry: Entry
            var fresh = false
            if let existing = totals[target], existing.key == stored.key, existing.kind == stored.kind,
               existing.bounds == stored.bounds, existing.values.count == width {
                entry = existing
            } else if !restored.isEmpty, let back = restored.removeValue(forKey: Identity(rollup: target.rollup, key: stored.key)),
                      back.kind == stored.kind, back.bounds == stored.bounds, back.values.count == width {
                entry = back
            } else {
                entry = Entry(key: stored.key, kind: stored.kind, bounds: stored.bounds,
                              values: [Double](repeating: 0, count: width), lastSeen: newest,
                              labelSets: Self.labelSets(stored.key, kind: stored.kind, bounds: stored.bounds, externalLabels: externalLabels))
                fresh = true
            }
            var samples = [[ExportSample]](repeating: [], count: width)
            for i in 0..<width { samples[i].reserveCapacity(emitted.count + 1) }
            let quiet = suppressThrough ?? .min
            if fresh, clock.start(of: first) > quiet {
                for i in 0..<width { samples[i].append(ExportSample(timestamp: clock.start(of: first), value: 0)) }
            }
            var next = 0
            for index in 0..<count {
                for i in 0..<width { entry.values[i] += delta[index * width + i] }
                guard next < emitted.count, emitted[next] == index else { continue }
                next += 1
                let end = clock.end(of: first + Int64(index))
                guard end > quiet else { continue }
                for i in 0..<width { samples[i].append(ExportSample(timestamp: end, value: entry.values[i])) }
            }
            entry.lastSeen = newest
            totals[target] = entry
            if !samples[0].isEmpty {
                batch.items.append(Batch.Item(labelSets: entry.labelSets, samples: samples))
            }
        }
        // Forget totals of series gone for long.
        if totals.count > deltas.count {
            for (target, entry) in totals where newest - entry.lastSeen > forgetAfterSlots { totals[target] = nil }
        }
        for (identity, entry) in restored where newest - entry.lastSeen > forgetAfterSlots { restored[identity] = nil }
        lastSlot = newest
        return batch
    }

    /// The batch as Prometheus series.
    public static func series(_ batch: Batch) -> [ExportSeries] {
        var out: [ExportSeries] = []
        out.reserveCapacity(batch.items.count)
        for item in batch.items {
            for (labels, samples) in zip(item.labelSets, item.samples) {
                out.append(ExportSeries(labels: labels, samples: samples))
            }
        }
        return out
    }

    /// The Prometheus label sets of one stored series, in the order of its
    /// values: a counter's one, or a histogram's `_bucket{le}` per bound and
    /// `+Inf`, `_sum`, `_count`. External labels are added unless the series
    /// has the label already.
    static func labelSets(_ key: SeriesKey, kind: MetricKind, bounds: [Double], externalLabels: [ExportLabel]) -> [[ExportLabel]] {
        var base = key.labels.filter { !$0.value.isEmpty }.map { ExportLabel($0.name, $0.value) }
        for label in externalLabels where !base.contains(where: { $0.name == label.name }) { base.append(label) }
        func labels(_ name: String, _ extra: ExportLabel?) -> [ExportLabel] {
            var labels = base
            labels.append(ExportLabel("__name__", name))
            if let extra { labels.append(extra) }
            return RemoteWriteEncoder.canonical(labels)
        }
        guard kind == .histogram else { return [labels(key.name, nil)] }
        var out: [[ExportLabel]] = []
        out.reserveCapacity(bounds.count + 3)
        for i in 0...bounds.count {
            let le = i < bounds.count ? SampleValue.format(bounds[i]) : "+Inf"
            out.append(labels(key.name + "_bucket", ExportLabel("le", le)))
        }
        out.append(labels(key.name + "_sum", nil))
        out.append(labels(key.name + "_count", nil))
        return out
    }
}
