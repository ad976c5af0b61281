import SiskinAggregation

/// What one push adds to one series over the interval it covers.
///
/// Counters and histograms carry increases (never negative); gauges carry
/// their latest value. Histogram values are laid out as the store keeps them:
/// one cumulative bucket increase per finite bound, the `+Inf` bucket, then
/// `_sum` and `_count`. The values themselves live in the push's one
/// `PushIncrements.values` buffer (`range`): an array per series would cost
/// a few hundred allocations per push on the ingest path.
public struct SeriesIncrement: Sendable, Equatable {
    /// Position of the series in its pod stream; stable while the stream
    /// lives, so the store can map it to its own id without hashing labels.
    public var slot: Int
    public var kind: MetricKind
    /// Where the values are in `PushIncrements.values`.
    public var range: Range<Int>

    public init(slot: Int, kind: MetricKind, range: Range<Int>) {
        self.slot = slot
        self.kind = kind
        self.range = range
    }
}

/// A series a pod stream saw for the first time, with everything the store
/// needs to register it.
public struct NewSeries: Sendable, Equatable {
    public var slot: Int
    public var key: SeriesKey
    public var kind: MetricKind
    /// Finite bucket bounds of a histogram; empty otherwise.
    public var bounds: [Double]

    public init(slot: Int, key: SeriesKey, kind: MetricKind, bounds: [Double]) {
        self.slot = slot
        self.key = key
        self.kind = kind
        self.bounds = bounds
    }
}

/// The store-facing result of one accepted push: increases over
/// `(fromMilliseconds, toMilliseconds]`, to be spread evenly over it.
public struct PushIncrements: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// First push of a pod (or of an agent whose cumulative values cannot
        /// be related to the previous one): registers series, adds nothing.
        case baseline
        /// Increases since the previous accepted push.
        case increase
    }

    public var pod: PodKey
    public var kind: Kind
    public var fromMilliseconds: Int64
    public var toMilliseconds: Int64
    /// Slots the stream forgot (absent too long, or replaced by a series of
    /// another kind); apply before `newSeries`, which may reuse them.
    public var retired: [Int] = []
    public var newSeries: [NewSeries]
    public var increments: [SeriesIncrement]
    /// The values of every increment, back to back (`SeriesIncrement.range`).
    public var values: [Double] = []
    /// Series whose cumulative values went down although the agent is the
    /// same (reported for visibility; counted as restarted from zero).
    public var resets: Int
    /// New series not taken because the pod already holds its limit of
    /// series (`seriesLimit`): a flood of new label values from one pod.
    public var refusedSeries = 0

    public init(pod: PodKey, kind: Kind, fromMilliseconds: Int64, toMilliseconds: Int64,
                newSeries: [NewSeries] = [], resets: Int = 0) {
        self.pod = pod
        self.kind = kind
        self.fromMilliseconds = fromMilliseconds
        self.toMilliseconds = toMilliseconds
        self.newSeries = newSeries
        self.increments = []
        self.resets = resets
    }

    /// The values of one of this push's increments.
    public func values(of increment: SeriesIncrement) -> ArraySlice<Double> {
        values[increment.range]
    }

    /// Appends an increment of `kind` for `slot` carrying `newValues`.
    public mutating func append(slot: Int, kind: MetricKind, values newValues: some Sequence<Double>) {
        let start = values.count
        values.append(contentsOf: newValues)
        increments.append(SeriesIncrement(slot: slot, kind: kind, range: start..<values.count))
    }
}
