/// What the aggregator remembers about one raw series between scrapes.
struct RawSeries {
    enum Kind: UInt8 {
        /// Not aggregated (unselected untyped family, `_created`, ...), but
        /// cached so the fast path passes over it.
        case ignored
        /// Counter-like: counters, buckets, `_sum`, `_count`. Reset-aware.
        case cumulative
        /// Point-in-time: summed as printed.
        case gauge
    }

    var slot: Int32
    var kind: Kind
    /// The raw histogram this line belongs to (-1: none). A histogram resets
    /// as a whole: if any of its lines went down, all of them restarted.
    var group: Int32 = -1
    var hasLast = false
    var lastIsInteger = false
    var lastInteger: UInt64 = 0
    var lastFloat: Double = 0
    /// Scrape generation that last saw the series (0: never).
    var lastSeen: UInt32 = 0
    /// Position in the previous scrape's order, for the fast path (-1: none).
    var previousPosition: Int32 = -1

    init(slot: Int32, kind: Kind, group: Int32 = -1) {
        self.slot = slot
        self.kind = kind
        self.group = group
    }

    /// Whether a new reading is below the last one (a reset, for counters).
    @inline(__always)
    func decreased(value: Double, integer: UInt64?) -> Bool {
        guard hasLast else { return false }
        if let integer, lastIsInteger { return integer < lastInteger }
        return value < lastFloat
    }
}
