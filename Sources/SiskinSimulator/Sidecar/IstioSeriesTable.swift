/// Storage for one sidecar's Istio series of one kind (HTTP or TCP).
///
/// Series are never removed: after an Envoy restart an entry stays (its `lifetime`
/// counts are the ground truth) but is marked not `live`, so it is not printed until
/// traffic uses that label combination again, as in Envoy.
struct IstioSeriesTable<Counts: Sendable>: Sendable {
    struct Entry: Sendable {
        let labels: IstioRequestLabels
        /// Pre-escaped `{reporter="...",...` without the closing brace.
        let labelBlock: [UInt8]
        /// Whether the series exists in the proxy right now (used since the last restart).
        var live: Bool
        /// Since the last restart: what the scrape shows.
        var current: Counts
        /// Since creation: the ground truth.
        var lifetime: Counts
    }

    private(set) var entries: [Entry] = []
    private var slots: [IstioRequestLabels: Int] = [:]
    /// Entry indices sorted by label values: the order series are printed in.
    private(set) var order: [Int] = []
    private(set) var liveCount = 0

    /// Index of the entry for `labels`, creating it (not live, zero counts) if needed.
    mutating func slot(
        for labels: IstioRequestLabels, zero: Counts, labelBlock: (IstioRequestLabels) -> [UInt8]
    ) -> Int {
        if let slot = slots[labels] { return slot }
        let slot = entries.count
        entries.append(Entry(labels: labels, labelBlock: labelBlock(labels), live: false, current: zero, lifetime: zero))
        slots[labels] = slot
        var low = 0
        var high = order.count
        while low < high {
            let mid = (low + high) / 2
            if IstioRequestLabels.precedes(entries[order[mid]].labels, labels) {
                low = mid + 1
            } else {
                high = mid
            }
        }
        order.insert(slot, at: low)
        return slot
    }

    /// Applies `update` to both the current and lifetime counts and marks the series live.
    mutating func record(slot: Int, _ update: (inout Counts) -> Void) {
        if !entries[slot].live {
            entries[slot].live = true
            liveCount += 1
        }
        update(&entries[slot].current)
        update(&entries[slot].lifetime)
    }

    /// Envoy restart: every series disappears and its current counts go back to zero.
    mutating func restart(zero: Counts) {
        for index in entries.indices {
            entries[index].live = false
            entries[index].current = zero
        }
        liveCount = 0
    }
}
