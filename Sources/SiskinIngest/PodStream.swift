import SiskinAggregation

/// One pod's sequence of cumulative summaries, turned into increases.
///
/// Agents push cumulative values, so the aggregator derives what happened in
/// between. This type holds the last accepted push of a pod and applies the
/// rules `docs/aggregator.md` describes:
///
/// - a push of the same agent instance with a sequence or timestamp not newer
///   than the last is a duplicate and changes nothing (retries are idempotent);
/// - the increase is the difference to the last push, per series; a value
///   that went down counts as restarted from zero (Prometheus' counter reset
///   rule); a series seen for the first time counts whole (Envoy creates
///   series at zero);
/// - a new agent instance (the agent restarted) continues from the last push
///   the same way, unless the previous instance had seen Envoy restart: its
///   values were then offset from Envoy's and cannot be related, so the new
///   instance starts a baseline (at most one interval is not counted, nothing
///   is counted twice);
/// - lost pushes need nothing: the next cumulative push covers the gap.
public struct PodStream: Sendable {
    public let pod: PodKey
    public internal(set) var agentInstance: String
    public internal(set) var sequence: UInt64
    /// Timestamp of the last accepted push (agent clock, ms).
    public internal(set) var timestampMilliseconds: Int64
    /// Timestamp of the first accepted push of this stream: increases are
    /// known from here on.
    public internal(set) var sinceMilliseconds: Int64
    public internal(set) var podLabels: [Label]
    public internal(set) var metadata: [Label]
    /// Pushes accepted since the stream started.
    public internal(set) var pushes: Int = 1

    var series: [Entry]
    var index: [SeriesKey: Int]
    /// Slots in the order of the last push, for a positional fast path: agents
    /// send the same series in the same order push after push.
    var order: [Int]
    var freeSlots: [Int] = []
    /// Values the last push's increments held: the next push's buffer
    /// reserves this much up front.
    var lastValueCount = 0

    struct Entry: Sendable {
        var key: SeriesKey
        var kind: MetricKind
        var bounds: [Double]
        var last: [Double]
        /// Pushes since the series was last present.
        var absent: Int
        var live: Bool
    }

    /// Series absent for this many pushes leave the store's live set (5 min
    /// at 5 s), as the agent forgets raw series.
    public static let forgetAfterPushes = 60
    /// ...and after this many (1 h at 5 s) their last value is dropped too.
    public static let dropAfterPushes = 720

    /// Why a push was not applied.
    public enum Ignored: Error, Sendable, Equatable, CustomStringConvertible {
        /// Same agent instance, sequence not newer: a retry of something
        /// already applied.
        case duplicate(sequence: UInt64, last: UInt64)
        /// Older than the last applied push (a late retry, or an old instance).
        case outOfOrder(timestamp: Int64, last: Int64)

        public var description: String {
            switch self {
            case .duplicate(let s, let last): "duplicate: sequence \(s) already applied (last \(last))"
            case .outOfOrder(let t, let last): "out of order: timestamp \(t) ms is older than the last applied \(last) ms"
            }
        }
    }

    /// Starts a stream from a pod's first push: a baseline.
    public init(first summary: PodSummary) {
        pod = PodKey(namespace: summary.namespace, pod: summary.pod)
        agentInstance = summary.agentInstance
        sequence = summary.sequence
        timestampMilliseconds = summary.timestampMilliseconds
        sinceMilliseconds = summary.timestampMilliseconds
        podLabels = summary.podLabels
        metadata = summary.metadata
        series = []
        index = [:]
        order = []
    }

    /// The baseline increments of the first push (registers its series, at
    /// most `seriesLimit`).
    public mutating func baseline(_ summary: PodSummary, seriesLimit: Int = .max) -> PushIncrements {
        var result = PushIncrements(pod: pod, kind: .baseline, fromMilliseconds: summary.timestampMilliseconds,
                                    toMilliseconds: summary.timestampMilliseconds)
        absorb(summary, result: &result, counting: false, seriesLimit: seriesLimit)
        return result
    }

    /// Applies the next push, or says why it was ignored. The stream holds at
    /// most `seriesLimit` series (absent ones it still remembers included):
    /// new series beyond it are refused (`refusedSeries`), so a pod that
    /// sends new label values push after push cannot grow memory without
    /// bound. A refused series taken later counts whole, like any new series.
    public mutating func advance(_ summary: PodSummary, seriesLimit: Int = .max) -> Result<PushIncrements, Ignored> {
        let sameInstance = summary.agentInstance == agentInstance
        if sameInstance, summary.sequence <= sequence {
            return .failure(.duplicate(sequence: summary.sequence, last: sequence))
        }
        if summary.timestampMilliseconds < timestampMilliseconds
            || (!sameInstance && summary.timestampMilliseconds == timestampMilliseconds) {
            return .failure(.outOfOrder(timestamp: summary.timestampMilliseconds, last: timestampMilliseconds))
        }
        let relatable = sameInstance || !Self.sawEnvoyRestart(metadata)
        var result = PushIncrements(pod: pod, kind: relatable ? .increase : .baseline,
                                    fromMilliseconds: timestampMilliseconds,
                                    toMilliseconds: summary.timestampMilliseconds)
        if !relatable {
            result.fromMilliseconds = summary.timestampMilliseconds
        }
        absorb(summary, result: &result, counting: relatable, seriesLimit: seriesLimit)
        agentInstance = summary.agentInstance
        sequence = summary.sequence
        timestampMilliseconds = summary.timestampMilliseconds
        podLabels = summary.podLabels
        metadata = summary.metadata
        pushes += 1
        return .success(result)
    }

    /// Number of series the stream's pushes currently carry (absent ones
    /// within `forgetAfterPushes` included).
    public var seriesCount: Int { series.reduce(0) { $0 + ($1.live && $1.absent < Self.forgetAfterPushes ? 1 : 0) } }

    /// Key of a live slot.
    public func key(ofSlot slot: Int) -> SeriesKey? {
        slot < series.count && series[slot].live ? series[slot].key : nil
    }

    static func sawEnvoyRestart(_ metadata: [Label]) -> Bool {
        guard let value = metadata.first(where: { $0.name == "agent_envoy_restarts_total" })?.value else { return false }
        return (UInt64(value) ?? 0) > 0
    }

    private mutating func absorb(_ summary: PodSummary, result: inout PushIncrements, counting: Bool, seriesLimit: Int) {
        var newOrder: [Int] = []
        newOrder.reserveCapacity(order.count)
        result.increments.reserveCapacity(order.count)
        result.values.reserveCapacity(lastValueCount)
        var position = 0
        // One reading at a time, in a buffer reused across series: a push of
        // a few hundred series would otherwise allocate an array per series
        // only to copy it into `last`.
        var values: [Double] = []
        for family in summary.families {
            for s in family.series {
                Self.read(s.value, into: &values)
                let bounds: [Double]
                if case .histogram(let h) = s.value { bounds = h.bounds } else { bounds = [] }
                // Positional fast path, then the index.
                var slot = -1
                if position < order.count {
                    // Read in place: copying an entry would retain all its arrays.
                    let candidate = order[position]
                    if series[candidate].live, series[candidate].kind == family.kind,
                       series[candidate].key.name == family.name, series[candidate].key.labels == s.labels {
                        slot = candidate
                    }
                }
                if slot < 0 {
                    let key = SeriesKey(name: family.name, labels: s.labels)
                    if let found = index[key] { slot = found }
                }
                position += 1
                // Printed twice in one push (whatever the layout): the first wins.
                if slot >= 0, series[slot].absent < 0 { continue }
                if slot >= 0, series[slot].kind == family.kind, series[slot].bounds == bounds {
                    if series[slot].absent >= Self.forgetAfterPushes {
                        // Back after the store let it go: register it again,
                        // and count from its last value like any other push.
                        result.newSeries.append(NewSeries(slot: slot, key: series[slot].key, kind: family.kind, bounds: bounds))
                    }
                    if counting {
                        let start = result.values.count
                        if Self.appendIncrease(from: series[slot].last, to: values, kind: family.kind, into: &result.values) {
                            result.resets += 1
                        }
                        result.increments.append(SeriesIncrement(slot: slot, kind: family.kind, range: start..<result.values.count))
                    } else if family.kind == .gauge {
                        result.append(slot: slot, kind: .gauge, values: values)
                    }
                    Self.present(&series[slot], reading: values)
                    newOrder.append(slot)
                    continue
                }
                if slot >= 0 {
                    // Same key, different kind or bucket layout: a different series now.
                    retire(slot)
                    result.retired.append(slot)
                }
                if series.count - freeSlots.count >= seriesLimit {
                    result.refusedSeries += 1
                    continue
                }
                let key = SeriesKey(name: family.name, labels: s.labels)
                let newSlot = allocate(Entry(key: key, kind: family.kind, bounds: bounds,
                                             last: values.map { $0.isFinite ? $0 : 0 }, absent: -1, live: true))
                index[key] = newSlot
                result.newSeries.append(NewSeries(slot: newSlot, key: key, kind: family.kind, bounds: bounds))
                if counting || family.kind == .gauge {
                    // First seen: Envoy created it at zero, so it counts whole.
                    let gauge = family.kind == .gauge
                    result.append(slot: newSlot, kind: family.kind,
                                  values: values.lazy.map { $0.isFinite && ($0 >= 0 || gauge) ? $0 : 0 })
                }
                newOrder.append(newSlot)
            }
        }
        // Absent series keep their last value. After `forgetAfterPushes` the
        // store lets them go (their data stays answerable for the detail
        // retention); the last value is kept longer, so a series that comes
        // back still counts only what it gained; after `dropAfterPushes` it
        // is forgotten and would count whole.
        // One pass through a buffer pointer: element by element, every
        // write would check the array's uniqueness again.
        var dropped: [Int] = []
        series.withUnsafeMutableBufferPointer { entries in
            for slot in entries.indices where entries[slot].live {
                if entries[slot].absent < 0 {
                    entries[slot].absent = 0
                } else {
                    entries[slot].absent += 1
                    if entries[slot].absent == Self.forgetAfterPushes {
                        result.retired.append(slot)
                    } else if entries[slot].absent >= Self.dropAfterPushes {
                        dropped.append(slot)
                    }
                }
            }
        }
        for slot in dropped { retire(slot) }
        order = newOrder
        lastValueCount = result.values.count
    }

    /// A present series' reading: `last` takes its good values, and the
    /// series is marked seen in this push. One access to the entry.
    private static func present(_ entry: inout Entry, reading values: [Double]) {
        keepGood(&entry.last, next: values, kind: entry.kind)
        entry.absent = -1
    }

    private mutating func allocate(_ entry: Entry) -> Int {
        if let slot = freeSlots.popLast() {
            series[slot] = entry
            return slot
        }
        series.append(entry)
        return series.count - 1
    }

    private mutating func retire(_ slot: Int) {
        guard series[slot].live else { return }
        index[series[slot].key] = nil
        series[slot].live = false
        series[slot].last = []
        freeSlots.append(slot)
    }

    /// Store layout of a series value: counter `[v]`, gauge `[v]`, histogram
    /// cumulative buckets (`+Inf` last), then sum and count.
    static func values(of value: SummarySeries.Value) -> [Double] {
        var out: [Double] = []
        read(value, into: &out)
        return out
    }

    /// `values(of:)` written into `out`, whose storage is kept.
    static func read(_ value: SummarySeries.Value, into out: inout [Double]) {
        out.removeAll(keepingCapacity: true)
        switch value {
        case .counter(let v): out.append(v.doubleValue)
        case .gauge(let v): out.append(v)
        case .histogram(let h):
            for count in h.bucketCounts { out.append(count.doubleValue) }
            out.append(h.sum)
            out.append(h.count.doubleValue)
        }
    }

    /// Non-finite readings (and negative counter readings) keep the previous
    /// good one, so a bad scrape neither poisons nor inflates later increases.
    static func keepGood(previous: [Double], next: [Double], kind: MetricKind) -> [Double] {
        var kept = previous
        keepGood(&kept, next: next, kind: kind)
        return kept
    }

    /// `keepGood(previous:next:kind:)` in place: `last` takes each good
    /// reading of `next` (same layout), without a new array.
    static func keepGood(_ last: inout [Double], next: [Double], kind: MetricKind) {
        guard last.count == next.count else {
            last = next.map { $0.isFinite && (kind == .gauge || $0 >= 0) ? $0 : 0 }
            return
        }
        for i in next.indices where next[i].isFinite && (kind == .gauge || next[i] >= 0) {
            last[i] = next[i]
        }
    }

    /// The reset-aware increase from `old` to `new`, appended to `out` (the
    /// push's value buffer); returns whether it was a reset. Counters: a
    /// decrease is a reset and the new value counts whole. Histograms reset
    /// as a whole when the count or any bucket went down.
    static func appendIncrease(from old: [Double], to new: [Double], kind: MetricKind, into out: inout [Double]) -> Bool {
        switch kind {
        case .gauge:
            out.append(contentsOf: new)
            return false
        case .counter:
            let o = old[0], n = new[0]
            guard n.isFinite, n >= 0 else {
                out.append(0)
                return false
            }
            if n >= o {
                out.append(n - o)
                return false
            }
            out.append(n)
            return true
        case .histogram:
            // Buckets and count are counters; `_sum` may in principle go
            // either way and takes no part in telling a reset.
            let sumIndex = new.count - 2
            func good(_ i: Int) -> Bool { new[i].isFinite && (i == sumIndex || new[i] >= 0) }
            var decreased = false
            for i in 0..<new.count where i != sumIndex && good(i) && new[i] < old[i] {
                decreased = true
                break
            }
            for i in 0..<new.count {
                out.append(good(i) ? (decreased ? new[i] : new[i] - old[i]) : 0)
            }
            return decreased
        }
    }
}
