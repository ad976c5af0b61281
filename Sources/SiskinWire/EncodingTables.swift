import SiskinAggregation

/// The shared tables of one payload, built in a first pass over the summary
/// before anything is written: the string dictionary, the distinct label sets
/// and the distinct histogram bound sets, plus which entry each series uses.
struct EncodingTables {
    /// Dictionary strings in order of first use; index = position.
    private(set) var strings: [String] = []
    private var stringIndex: [String: UInt32] = [:]

    /// Distinct label sets as dictionary index pairs (names, values).
    private(set) var labelSets: [(names: [UInt32], values: [UInt32])] = []
    private var labelSetIndex: [[Label]: UInt32] = [:]
    /// The label arrays behind `labelSets`, for the equality fast path.
    private var labelSetSources: [[Label]] = []
    /// Where the last non-empty family's entries in `seriesLabelSets` are.
    private var previousFamily = 0..<0
    private var currentFamilyStart = 0

    /// Distinct bound lists, keyed by bit pattern so `-0.0` and `0.0` stay
    /// apart and every bound round-trips exactly.
    private(set) var boundSets: [[Double]] = []
    private var boundSetIndex: [[UInt64]: UInt32] = [:]

    /// Label-set index of every series, all families concatenated.
    private(set) var seriesLabelSets: [UInt32] = []
    /// Bound-set index of every histogram series, all families concatenated.
    private(set) var seriesBoundSets: [UInt32] = []

    init(seriesCapacity: Int) {
        stringIndex.reserveCapacity(256)
        strings.reserveCapacity(256)
        seriesLabelSets.reserveCapacity(seriesCapacity)
    }

    /// Index of a string the first pass interned.
    func index(of string: String) -> UInt32 {
        guard let index = stringIndex[string] else { preconditionFailure("string was not interned: \(string)") }
        return index
    }

    mutating func intern(_ string: String) -> UInt32 {
        let next = UInt32(strings.count)
        let index = Self.lookUpOrInsert(&stringIndex[string, default: next])
        if index == next { strings.append(string) }
        return index
    }

    /// Reads a `dictionary[key, default: next]` slot through an inout
    /// access, which inserts `next` when the key is missing: one hash, where
    /// a lookup followed by an insert costs two.
    @inline(__always)
    private static func lookUpOrInsert(_ slot: inout UInt32) -> UInt32 { slot }

    mutating func intern(labels: [Label]) -> (names: [UInt32], values: [UInt32]) {
        var names: [UInt32] = []
        var values: [UInt32] = []
        names.reserveCapacity(labels.count)
        values.reserveCapacity(labels.count)
        for label in labels {
            names.append(intern(label.name))
            values.append(intern(label.value))
        }
        return (names, values)
    }

    /// Starts a family; its series follow through `addSeries`.
    mutating func beginFamily() {
        if seriesLabelSets.count > currentFamilyStart {
            previousFamily = currentFamilyStart..<seriesLabelSets.count
        }
        currentFamilyStart = seriesLabelSets.count
    }

    /// Records the label set of the series at `position` in its family.
    ///
    /// Families of one pod mostly list the same label sets in the same order
    /// (`istio_requests_total` and the three Istio histograms), so the entry
    /// at the same position in the previous family is tried first: comparing
    /// two label arrays is several times cheaper than hashing one, and hashing
    /// dominated encoding time.
    mutating func addSeries(labels: [Label], position: Int) {
        if position < previousFamily.count {
            let candidate = seriesLabelSets[previousFamily.lowerBound + position]
            if labelSetSources[Int(candidate)] == labels {
                seriesLabelSets.append(candidate)
                return
            }
        }
        let next = UInt32(labelSets.count)
        let index = Self.lookUpOrInsert(&labelSetIndex[labels, default: next])
        if index == next {
            labelSets.append(intern(labels: labels))
            labelSetSources.append(labels)
        }
        seriesLabelSets.append(index)
    }

    /// Records the bound set of the next histogram series.
    mutating func addHistogram(bounds: [Double]) {
        // Nearly every histogram uses the bounds of the one before.
        if let last = seriesBoundSets.last, Self.identical(boundSets[Int(last)], bounds) {
            seriesBoundSets.append(last)
            return
        }
        let key = bounds.map(\.bitPattern)
        if let index = boundSetIndex[key] {
            seriesBoundSets.append(index)
            return
        }
        let index = UInt32(boundSets.count)
        boundSets.append(bounds)
        boundSetIndex[key] = index
        seriesBoundSets.append(index)
    }

    private static func identical(_ lhs: [Double], _ rhs: [Double]) -> Bool {
        lhs.count == rhs.count && zip(lhs, rhs).allSatisfy { $0.bitPattern == $1.bitPattern }
    }
}
