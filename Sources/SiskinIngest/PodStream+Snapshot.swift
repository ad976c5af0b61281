import SiskinAggregation

// Capturing and restoring a stream, for the store's snapshots.
//
// Replaying the push log after a snapshot must give exactly the state the
// aggregator had, so the state carries everything `advance` reads: free slots
// in their order (the next series reuses the last one freed) and the order of
// the last push (the positional fast path), not only the live series.
extension PodStream {
    /// Everything a stream holds, as plain values.
    package struct State: Sendable, Equatable {
        package var pod: PodKey
        package var agentInstance: String
        package var sequence: UInt64
        package var timestampMilliseconds: Int64
        package var sinceMilliseconds: Int64
        package var podLabels: [Label]
        package var metadata: [Label]
        package var pushes: Int
        /// Per slot: the series it tracks, or nil when the slot is free.
        package var slots: [TrackedSeries?]
        /// Slots in the order of the last push (may name slots freed since).
        package var order: [Int]
        /// Free slots, reused from the end.
        package var freeSlots: [Int]

        package init(
            pod: PodKey, agentInstance: String, sequence: UInt64, timestampMilliseconds: Int64,
            sinceMilliseconds: Int64, podLabels: [Label], metadata: [Label], pushes: Int,
            slots: [TrackedSeries?], order: [Int], freeSlots: [Int]
        ) {
            self.pod = pod
            self.agentInstance = agentInstance
            self.sequence = sequence
            self.timestampMilliseconds = timestampMilliseconds
            self.sinceMilliseconds = sinceMilliseconds
            self.podLabels = podLabels
            self.metadata = metadata
            self.pushes = pushes
            self.slots = slots
            self.order = order
            self.freeSlots = freeSlots
        }
    }

    /// One series a stream tracks: identity, layout and the last cumulative
    /// values increases are computed from.
    package struct TrackedSeries: Sendable, Equatable {
        package var key: SeriesKey
        package var kind: MetricKind
        package var bounds: [Double]
        package var last: [Double]
        /// Pushes since the series was last present.
        package var absent: Int

        package init(key: SeriesKey, kind: MetricKind, bounds: [Double], last: [Double], absent: Int) {
            self.key = key
            self.kind = kind
            self.bounds = bounds
            self.last = last
            self.absent = absent
        }

        /// Whether `last` has a layout `advance` can have stored: one value
        /// (a counter or gauge reading), or one per bucket (`+Inf`
        /// included) then sum and count (a histogram reading). Checked by
        /// the reading's shape, not the family's kind, so that every state
        /// `advance` can build restores.
        package var hasValidLayout: Bool {
            last.count == bounds.count + 3 || (bounds.isEmpty && last.count == 1)
        }
    }

    /// Why a captured state cannot be a stream: restoring it would break an
    /// invariant `advance` relies on.
    package struct InvalidState: Error, Sendable, Equatable, CustomStringConvertible {
        package var reason: String
        package var description: String { "invalid pod stream state: \(reason)" }
    }

    /// The stream's complete state.
    package var state: State {
        State(
            pod: pod, agentInstance: agentInstance, sequence: sequence,
            timestampMilliseconds: timestampMilliseconds, sinceMilliseconds: sinceMilliseconds,
            podLabels: podLabels, metadata: metadata, pushes: pushes,
            slots: series.map { entry in
                entry.live
                    ? TrackedSeries(key: entry.key, kind: entry.kind, bounds: entry.bounds, last: entry.last,
                                    absent: entry.absent)
                    : nil
            },
            order: order, freeSlots: freeSlots)
    }

    /// Restores a stream from `state`, which may come from a damaged file:
    /// anything `advance` would trap on is refused instead.
    package init(restoring state: State) throws(InvalidState) {
        let count = state.slots.count
        var free = [Bool](repeating: false, count: count)
        for slot in state.freeSlots {
            guard slot >= 0, slot < count else { throw InvalidState(reason: "free slot \(slot) out of range 0..<\(count)") }
            guard state.slots[slot] == nil else { throw InvalidState(reason: "free slot \(slot) holds a series") }
            guard !free[slot] else { throw InvalidState(reason: "free slot \(slot) listed twice") }
            free[slot] = true
        }
        for slot in state.order where slot < 0 || slot >= count {
            throw InvalidState(reason: "ordered slot \(slot) out of range 0..<\(count)")
        }
        var entries: [Entry] = []
        entries.reserveCapacity(count)
        var index: [SeriesKey: Int] = [:]
        index.reserveCapacity(count - state.freeSlots.count)
        for (slot, tracked) in state.slots.enumerated() {
            guard let tracked else {
                guard free[slot] else { throw InvalidState(reason: "slot \(slot) is neither used nor free") }
                entries.append(Entry(key: SeriesKey(name: "", labels: []), kind: .counter, bounds: [], last: [],
                                     absent: 0, live: false))
                continue
            }
            guard tracked.absent >= 0 else { throw InvalidState(reason: "slot \(slot) absent for \(tracked.absent) pushes") }
            guard tracked.hasValidLayout else {
                throw InvalidState(reason: "slot \(slot) holds \(tracked.last.count) values for \(tracked.bounds.count) bounds")
            }
            guard index.updateValue(slot, forKey: tracked.key) == nil else {
                throw InvalidState(reason: "series \(tracked.key) tracked twice")
            }
            entries.append(Entry(key: tracked.key, kind: tracked.kind, bounds: tracked.bounds, last: tracked.last,
                                 absent: tracked.absent, live: true))
        }
        pod = state.pod
        agentInstance = state.agentInstance
        sequence = state.sequence
        timestampMilliseconds = state.timestampMilliseconds
        sinceMilliseconds = state.sinceMilliseconds
        podLabels = state.podLabels
        metadata = state.metadata
        pushes = state.pushes
        series = entries
        self.index = index
        order = state.order
        freeSlots = state.freeSlots
    }
}

extension PodStream {
    /// Number of slots, used and free: every slot `advance` may report is
    /// below it.
    package var slotCount: Int { series.count }
}
