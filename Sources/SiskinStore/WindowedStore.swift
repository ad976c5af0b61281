import SiskinAggregation
import SiskinIngest

/// The aggregator's memory: per-pod streams, pod-level series with a detail
/// ring, workload rollups (the same series summed over pods) with a longer
/// ring, and a label index over both.
///
/// Not thread-safe; `Database` serialises access. Every increase is spread
/// evenly over the interval between the two pushes that bound it, so a window
/// sum is the increase inside the window under the even-traffic assumption
/// Prometheus' `rate()` makes too.
public struct WindowedStore: Sendable {
    public let configuration: StoreConfiguration
    /// Slots of pod-level series.
    public let clock: SlotClock
    /// Slots of rollups.
    public let rollupClock: SlotClock

    public internal(set) var pods: [PodRecord] = []
    /// `pods`' clocks, index for index (kept in step by `syncClock`).
    var podClocks: [PodClock] = []
    var podIndex: [PodKey: Int] = [:]
    var freePods: [Int] = []

    public internal(set) var series: [StoredSeries] = []
    var freeSeries: [Int] = []
    /// Pod-level series no pod stream feeds any more (the pod went stale, or
    /// the series was forgotten) whose data is still inside the detail
    /// retention: still answered from, purged once their data ages out, and
    /// picked up again if the same series comes back.
    var detachedIndex: [SeriesKey: Int] = [:]
    public internal(set) var rollups: [StoredSeries] = []
    var rollupIndex: [SeriesKey: Int] = [:]
    var freeRollups: [Int] = []

    var podPostings = LabelPostings()
    var rollupPostings = LabelPostings()
    var interner = StringInterner()

    /// New series refused since start because their pod held
    /// `maxSeriesPerPod` series already (`siskin_series_refused_total`).
    public internal(set) var seriesRefused = 0

    /// Earliest data time (ms) the store holds increases from.
    public internal(set) var dataSince: Int64 = .max

    /// Summaries are stamped at scrape time and agents send their newest, so
    /// anything older than a day is a broken clock, not late data.
    public static let maxTimestampAge: Int64 = 86_400_000

    /// The label a pod-level series names its pod by; rollups drop it.
    public static let podLabel = "pod"

    public init(configuration: StoreConfiguration = .default) {
        self.configuration = configuration
        clock = SlotClock(slotMilliseconds: configuration.slotMilliseconds)
        rollupClock = SlotClock(slotMilliseconds: configuration.rollupSlotMilliseconds)
    }

    // MARK: Ingest

    /// Applies one decoded push received at `now` (aggregator clock, ms).
    public mutating func ingest(_ summary: PodSummary, now: Int64) -> IngestOutcome {
        if summary.pod.isEmpty || summary.namespace.isEmpty { return .rejected(.emptyIdentity) }
        let count = summary.seriesCount
        if count > configuration.maxSeriesPerPod {
            return .rejected(.tooManySeries(count: count, limit: configuration.maxSeriesPerPod))
        }
        // Written to stay clear of overflow whatever the timestamp claims.
        let ts = summary.timestampMilliseconds
        if ts > now, ts - now > configuration.maxClockSkewMilliseconds {
            return .rejected(.timestampInFuture(skewMilliseconds: ts - now))
        }
        if ts < now - Self.maxTimestampAge {
            return .rejected(.timestampTooOld(ageMilliseconds: ts > now - (Int64(1) << 62) ? now - ts : .max))
        }

        let key = PodKey(namespace: summary.namespace, pod: summary.pod)
        let increments: PushIncrements
        let podID: Int
        if let existing = podIndex[key] {
            podID = existing
            let previous = pods[podID].stream.timestampMilliseconds
            switch pods[podID].stream.advance(summary, seriesLimit: configuration.maxSeriesPerPod) {
            case .failure(let ignored): return .ignored(ignored)
            case .success(let result): increments = result
            }
            let gap = summary.timestampMilliseconds - previous
            if gap > 0 {
                let old = pods[podID].intervalMilliseconds
                pods[podID].intervalMilliseconds = old == 0 ? gap : (old * 3 + gap) / 4
            }
            pods[podID].lastReceived = now
        } else {
            if podIndex.count >= configuration.maxPods { return .rejected(.tooManyPods(limit: configuration.maxPods)) }
            var stream = PodStream(first: summary)
            increments = stream.baseline(summary, seriesLimit: configuration.maxSeriesPerPod)
            let record = PodRecord(stream: stream, seriesOfSlot: [], lastReceived: now, intervalMilliseconds: 0, live: true)
            if let free = freePods.popLast() {
                pods[free] = record
                podID = free
            } else {
                pods.append(record)
                podID = pods.count - 1
            }
            podIndex[key] = podID
        }
        apply(increments, pod: podID)
        syncClock(podID)
        seriesRefused += increments.refusedSeries
        return .applied(kind: increments.kind, newSeries: increments.newSeries.count, resets: increments.resets)
    }

    /// Copies pod `podID`'s clock into `podClocks` after its record changed.
    mutating func syncClock(_ podID: Int) {
        while podClocks.count < pods.count { podClocks.append(PodClock(pods[podClocks.count])) }
        podClocks[podID] = PodClock(pods[podID])
    }

    /// Rebuilds `podClocks` whole (after `pods` was replaced, e.g. from a snapshot).
    mutating func rebuildPodClocks() {
        podClocks = pods.map(PodClock.init)
    }

    private mutating func apply(_ push: PushIncrements, pod podID: Int) {
        for slot in push.retired {
            let id = pods[podID].seriesOfSlot[slot]
            if id >= 0 { removeSeries(id) }
            pods[podID].seriesOfSlot[slot] = -1
        }
        for new in push.newSeries {
            let id = addSeries(new, pod: podID)
            while pods[podID].seriesOfSlot.count <= new.slot { pods[podID].seriesOfSlot.append(-1) }
            pods[podID].seriesOfSlot[new.slot] = id
        }
        if push.kind == .increase, push.fromMilliseconds < dataSince {
            dataSince = push.fromMilliseconds
        } else if dataSince == .max {
            dataSince = push.toMilliseconds
        }
        guard !push.increments.isEmpty else { return }
        // Where this push's increase lands, at both resolutions: computed
        // once, applied to every series. Only slots a ring can still hold: a
        // push after a long gap (or a wild clock) costs one pass over a ring.
        var shares: [(Int64, Double)] = []
        var rollupShares: [(Int64, Double)] = []
        if push.kind == .increase {
            let newest = clock.slot(containing: push.toMilliseconds)
            clock.spread(from: push.fromMilliseconds, to: push.toMilliseconds,
                         notBefore: newest - Int64(configuration.detailSlots) + 1) { shares.append(($0, $1)) }
            let newestRollup = rollupClock.slot(containing: push.toMilliseconds)
            rollupClock.spread(from: push.fromMilliseconds, to: push.toMilliseconds,
                               notBefore: newestRollup - Int64(configuration.rollupSlots) + 1) { rollupShares.append(($0, $1)) }
        }
        let gaugeSlot = clock.slot(containing: push.toMilliseconds)
        let seriesOfSlot = pods[podID].seriesOfSlot
        // The two series arrays through buffer pointers: a write through
        // `series[id]` checks the array's uniqueness every time, and a push
        // writes a few hundred rings.
        series.withUnsafeMutableBufferPointer { series in
            rollups.withUnsafeMutableBufferPointer { rollups in
                for inc in push.increments {
                    let id = seriesOfSlot[inc.slot]
                    guard id >= 0 else { continue }
                    let values = push.values(of: inc)
                    let rollup = series[id].rollup
                    if inc.kind == .gauge {
                        // Slots skipped since the last reading (a lost or late
                        // push) hold the value in effect then, not the ring's
                        // cleared zeros.
                        let head = series[id].ring.head
                        if head != .min, gaugeSlot > head + 1, let held = series[id].ring.values(at: head) {
                            var slot = max(head + 1, gaugeSlot - Int64(series[id].ring.capacity) + 1)
                            while slot < gaugeSlot {
                                series[id].ring.set(held[...], at: slot)
                                slot += 1
                            }
                        }
                        series[id].ring.set(values, at: gaugeSlot)
                        series[id].lastWrite = push.toMilliseconds
                        continue
                    }
                    if values.allSatisfy({ $0 == 0 }) {
                        series[id].lastWrite = push.toMilliseconds
                        continue
                    }
                    series[id].ring.add(values, shares: shares)
                    series[id].lastWrite = push.toMilliseconds
                    if rollup >= 0 {
                        rollups[rollup].ring.add(values, shares: rollupShares)
                        rollups[rollup].lastWrite = max(rollups[rollup].lastWrite, push.toMilliseconds)
                    }
                }
            }
        }
    }

    private mutating func internKey(_ key: SeriesKey) -> SeriesKey {
        SeriesKey(name: interner.intern(key.name),
                  labels: key.labels.map { Label(interner.intern($0.name), interner.intern($0.value)) })
    }

    private mutating func addSeries(_ new: NewSeries, pod podID: Int) -> Int {
        if let id = detachedIndex[new.key], series[id].kind == new.kind, series[id].bounds == new.bounds {
            // The series is back: continue its ring.
            detachedIndex[new.key] = nil
            series[id].owner = podID
            if series[id].rollup >= 0 { rollups[series[id].rollup].owner += 1 }
            return id
        }
        if let id = detachedIndex[new.key] { purgeSeries(id) }
        let key = internKey(new.key)
        let width = new.kind == .histogram ? new.bounds.count + 3 : 1
        var rollupID = -1
        if new.kind != .gauge {
            let rollupKey = SeriesKey(name: key.name, labels: key.labels.filter { $0.name != Self.podLabel })
            if let existing = rollupIndex[rollupKey], rollups[existing].kind == new.kind, rollups[existing].bounds == new.bounds {
                rollupID = existing
                rollups[existing].owner += 1
            } else if rollupIndex[rollupKey] == nil {
                let stored = StoredSeries(key: rollupKey, kind: new.kind, bounds: new.bounds,
                                          ring: SlotRing(capacity: configuration.rollupSlots, width: width),
                                          lastWrite: .min, owner: 1, rollup: -1, live: true)
                if let free = freeRollups.popLast() {
                    rollups[free] = stored
                    rollupID = free
                } else {
                    rollups.append(stored)
                    rollupID = rollups.count - 1
                }
                rollupIndex[rollupKey] = rollupID
                rollupPostings.insert(rollupID, key: rollupKey)
            }
        }
        let stored = StoredSeries(key: key, kind: new.kind, bounds: new.bounds,
                                  ring: SlotRing(capacity: configuration.detailSlots, width: width),
                                  lastWrite: .min, owner: podID, rollup: rollupID, live: true)
        let id: Int
        if let free = freeSeries.popLast() {
            series[free] = stored
            id = free
        } else {
            series.append(stored)
            id = series.count - 1
        }
        podPostings.insert(id, key: key)
        return id
    }

    /// Detaches a pod-level series from its pod. Its data stays queryable
    /// until it leaves the detail retention.
    private mutating func removeSeries(_ id: Int) {
        guard series[id].live, series[id].owner >= 0 else { return }
        let rollup = series[id].rollup
        if rollup >= 0 { rollups[rollup].owner -= 1 }
        series[id].owner = -1
        if let other = detachedIndex[series[id].key] { purgeSeries(other) }
        detachedIndex[series[id].key] = id
    }

    /// Forgets a detached series entirely.
    private mutating func purgeSeries(_ id: Int) {
        guard series[id].live else { return }
        podPostings.remove(id, key: series[id].key)
        if detachedIndex[series[id].key] == id { detachedIndex[series[id].key] = nil }
        if series[id].owner >= 0, series[id].rollup >= 0 { rollups[series[id].rollup].owner -= 1 }
        series[id] = StoredSeries(key: SeriesKey(name: "", labels: []), kind: .counter, bounds: [],
                                  ring: SlotRing(capacity: 1, width: 1), lastWrite: .min, owner: -1, rollup: -1, live: false)
        freeSeries.append(id)
    }

    // MARK: Expiry

    /// Drops pods that stopped pushing (with their pod-level series) and
    /// rollups nobody feeds whose data left the retention. Returns the number
    /// of pods dropped.
    @discardableResult
    public mutating func expire(now: Int64) -> Int {
        var dropped = 0
        for podID in pods.indices where pods[podID].live {
            guard now - pods[podID].lastReceived > configuration.staleAfterMilliseconds else { continue }
            for id in pods[podID].seriesOfSlot where id >= 0 { removeSeries(id) }
            podIndex[pods[podID].key] = nil
            pods[podID].live = false
            pods[podID].seriesOfSlot = []
            syncClock(podID)
            freePods.append(podID)
            dropped += 1
        }
        // Retention is measured from the newest data; with no pod left (or
        // none yet) there is none, and the rollups wait for the next push.
        let latest = latestData
        guard latest != .min else { return dropped }
        // Detached pod-level series whose last data left the detail retention.
        let detailHorizon = latest - configuration.detailRetentionMilliseconds
        for id in Array(detachedIndex.values) where series[id].lastWrite < detailHorizon {
            purgeSeries(id)
        }
        let horizon = latest - configuration.retentionMilliseconds
        for id in rollups.indices where rollups[id].live && rollups[id].owner == 0 && rollups[id].lastWrite < horizon {
            rollupPostings.remove(id, key: rollups[id].key)
            rollupIndex[rollups[id].key] = nil
            rollups[id].live = false
            rollups[id].ring = SlotRing(capacity: 1, width: 1)
            freeRollups.append(id)
        }
        return dropped
    }

    /// The aggregator runs again at `now` after being down: every pod's
    /// silence starts over from here. Pods could not push while it was
    /// down, so an outage longer than `staleAfterMilliseconds` must not drop
    /// them (their next push would be a new baseline, and everything served
    /// during the outage would go uncounted). They get `staleAfter` from
    /// now to push again; their next push covers the whole outage.
    public mutating func resume(now: Int64) {
        for podID in pods.indices where pods[podID].live && pods[podID].lastReceived < now {
            pods[podID].lastReceived = now
            syncClock(podID)
        }
    }

    // MARK: Reading

    /// Latest push time (agent clock, ms) of any pod.
    public var latestData: Int64 {
        var latest = Int64.min
        for clock in podClocks where clock.live { latest = max(latest, clock.timestamp) }
        return latest
    }

    /// The time up to which every pod still pushing has reported: data before
    /// it is complete. Pods silent for more than three of their intervals
    /// (at least 15 s) are not waited for.
    public func watermark(now: Int64) -> Int64 {
        clocks(now: now).watermark
    }

    /// `watermark(now:)` and `latestData` from one walk over the pods'
    /// clocks. A query needs both, and at 10,000 pods each walk reads
    /// ~300 KB, a sizeable share of a sub-millisecond answer.
    public func clocks(now: Int64) -> (watermark: Int64, latestData: Int64) {
        var mark = Int64.max
        var latest = Int64.min
        for clock in podClocks where clock.live {
            latest = max(latest, clock.timestamp)
            let patience = max(3 * clock.interval, 15_000)
            if now - clock.lastReceived <= patience { mark = min(mark, clock.timestamp) }
        }
        if mark == .max { return (latest, latest) }
        // A pod whose clock lags far behind the others must not hold every
        // answer back: its late data lands in old slots, its own fault.
        return (max(mark, latest - Self.maxWatermarkLag(configuration)), latest)
    }

    /// How far the watermark may trail the newest push.
    static func maxWatermarkLag(_ configuration: StoreConfiguration) -> Int64 {
        max(30_000, 3 * configuration.slotMilliseconds)
    }

    /// The part of the window `(from, to]` the store can answer for at
    /// `level`: cut at the end to the last slot boundary at or before the
    /// watermark (the slot holding the watermark still lacks the increases of
    /// pods that have not pushed past it, so reading part of it pro rata
    /// would undercount), and to the retained data at the start. Nil when
    /// nothing of it is held.
    public func coveredRange(from: Int64, to: Int64, level: SeriesLevel, now: Int64) -> (from: Int64, to: Int64)? {
        coveredRange(from: from, to: to, level: level, watermark: watermark(now: now))
    }

    /// `coveredRange(from:to:level:now:)` with the watermark computed once by
    /// the caller: it walks every pod, so a query with several selectors
    /// should not pay it per selector.
    public func coveredRange(from: Int64, to: Int64, level: SeriesLevel, watermark mark: Int64) -> (from: Int64, to: Int64)? {
        guard mark != .min, dataSince != .max else { return nil }
        let retention = level == .pod ? configuration.detailRetentionMilliseconds : configuration.retentionMilliseconds
        let levelClock = level == .pod ? clock : rollupClock
        let end = min(to, levelClock.start(of: levelClock.slot(containing: mark + 1)))
        // Nothing happened before `dataSince`, so the slot holding it is read
        // whole: its increases all lie after it, and reading it pro rata from
        // `dataSince` on would drop part of them.
        let firstSlotStart = levelClock.start(of: levelClock.slot(containing: dataSince + 1))
        let start = max(from, firstSlotStart, mark - retention)
        return end > start ? (start, end) : nil
    }

    /// Ids of live series at `level` whose name is `name` (when given) and
    /// whose labels satisfy every matcher.
    public func select(_ level: SeriesLevel, name: String?, matching matchers: [LabelMatcher]) -> [Int] {
        let postings = level == .pod ? podPostings : rollupPostings
        let table = level == .pod ? series : rollups
        func indexed(_ m: LabelMatcher) -> Bool { m.op == .equal && !m.value.isEmpty }
        // Equalities (and the name) are answered by the postings: start from
        // the shortest list, and test the others by membership rather than
        // by scanning each candidate's labels.
        var lists: [Set<Int>] = []
        for m in matchers where indexed(m) {
            guard let list = postings.list(name: m.name, value: m.value) else { return [] }
            lists.append(list)
        }
        if let name {
            guard let list = postings.list(name: "__name__", value: name) else { return [] }
            lists.append(list)
        }
        lists.sort { $0.count < $1.count }
        let others = matchers.filter { !indexed($0) }
        let pool = lists.first.map(Array.init) ?? table.indices.filter { table[$0].live }
        var out: [Int] = []
        out.reserveCapacity(pool.count)
        candidates: for id in pool where table[id].live {
            for list in lists.dropFirst() where !list.contains(id) { continue candidates }
            if !others.isEmpty {
                let key = table[id].key
                for m in others where !m.matches(key.value(of: m.name) ?? "") { continue candidates }
            }
            out.append(id)
        }
        return out.sorted()
    }

    /// Family names held at `level` (as agents push them: histograms by
    /// their base name).
    public func familyNames(_ level: SeriesLevel) -> [String] {
        (level == .pod ? podPostings : rollupPostings).values(of: "__name__")
    }

    /// Label names in use at `level` (without `__name__`).
    public func labelNames(_ level: SeriesLevel) -> [String] {
        (level == .pod ? podPostings : rollupPostings).names
    }

    /// Values of one label in use at `level`.
    public func labelValues(_ level: SeriesLevel, _ name: String) -> [String] {
        (level == .pod ? podPostings : rollupPostings).values(of: name)
    }

    public func stored(_ level: SeriesLevel, _ id: Int) -> StoredSeries {
        level == .pod ? series[id] : rollups[id]
    }

    /// Sum of a series' slot values over `(from, to]`, edge slots pro rata.
    public func total(_ level: SeriesLevel, _ id: Int, from: Int64, to: Int64) -> [Double] {
        let s = level == .pod ? series[id] : rollups[id]
        var out = [Double](repeating: 0, count: s.width)
        (level == .pod ? clock : rollupClock).cover(from: from, to: to) { slot, fraction in
            s.ring.accumulate(slot: slot, fraction: fraction, into: &out)
        }
        return out
    }

    /// Latest value of a gauge at or before `at`, within the detail retention.
    public func latestGauge(_ id: Int, at: Int64) -> Double? {
        let s = series[id]
        var slot = min(clock.slot(containing: at), s.ring.head)
        let oldest = s.ring.oldest
        while slot >= oldest {
            if let v = s.ring.values(at: slot), s.lastWrite >= clock.start(of: slot) { return v.first }
            slot -= 1
        }
        return nil
    }

    public func podRecord(_ key: PodKey) -> PodRecord? {
        podIndex[key].map { pods[$0] }
    }

    public var livePods: [PodRecord] { pods.filter(\.live) }

    /// The live pods of one namespace. Copies only those: copying every
    /// record (`livePods`) costs more than a whole metrics API answer.
    public func livePods(inNamespace namespace: String) -> [PodRecord] {
        var out: [PodRecord] = []
        for i in pods.indices where pods[i].live && pods[i].stream.pod.namespace == namespace { out.append(pods[i]) }
        return out
    }

    /// Whether any live pod is in `namespace` (fields read in place).
    public func hasLivePods(inNamespace namespace: String) -> Bool {
        pods.indices.contains { pods[$0].live && pods[$0].stream.pod.namespace == namespace }
    }
    public var podCount: Int { podIndex.count }
    /// Pod-level series held, detached ones included.
    public var seriesCount: Int { series.count - freeSeries.count }
    /// Pod-level series a live pod feeds.
    public var attachedSeriesCount: Int { seriesCount - detachedIndex.count }
    public var rollupCount: Int { rollups.count - freeRollups.count }

    /// Values per slot over all series of `level`: the number of series
    /// Prometheus would hold for the same data (each bucket, `_sum` and
    /// `_count` of a histogram is a series there).
    public func prometheusSeriesCount(_ level: SeriesLevel) -> Int {
        let table = level == .pod ? series : rollups
        var n = 0
        for i in table.indices where table[i].live { n += table[i].ring.width }
        return n
    }

    /// Bytes held by rings (the bulk of the store).
    public var ringBytes: Int {
        series.reduce(0) { $0 + ($1.live ? $1.ring.byteCount : 0) } + rollups.reduce(0) { $0 + ($1.live ? $1.ring.byteCount : 0) }
    }
}
