/// One output series: its labels and the slots holding its values.
struct OutputSeries {
    var family: Int32
    var kind: MetricKind
    var labels: [Label]
    var live = true
    /// Counter or gauge value.
    var valueSlot: Int32 = -1
    /// Histogram parts: finite bounds (ascending) with their bucket slots.
    var bounds: [Double] = []
    var bucketSlots: [Int32] = []
    var infSlot: Int32 = -1
    var sumSlot: Int32 = -1
    var countSlot: Int32 = -1
    var lastTouched: UInt32 = 0

    init(family: Int32, kind: MetricKind, labels: [Label]) {
        self.family = family
        self.kind = kind
        self.labels = labels
    }

    var allSlots: [Int32] {
        var all = bucketSlots
        for s in [valueSlot, infSlot, sumSlot, countSlot] where s >= 0 { all.append(s) }
        return all
    }
}

/// An output family and its series, kept sorted by labels lazily.
struct OutputFamily {
    var name: String
    var kind: MetricKind
    var members: [Int32] = []
    var needsSorting = false

    init(name: String, kind: MetricKind) {
        self.name = name
        self.kind = kind
    }
}
