/// One raw histogram (a set of `_bucket`, `_sum`, `_count` lines with the
/// same labels but `le`), so a reset is decided for all of its lines at once.
struct RawHistogramGroup {
    /// Scrape generation in which some line of the group went down.
    var resetGeneration: UInt32 = 0
    var lastSeen: UInt32 = 0
    var live = true
}

/// A histogram line's reading held until the end of the scrape, when its
/// group's reset decision is known.
struct PendingReading {
    var id: Int32
    var value: Double
    var integer: UInt64?
}
