import SiskinAggregation
import SiskinIngest

/// Which resolution a series lives at.
public enum SeriesLevel: Sendable, Hashable {
    /// Per pod (labels include `pod`), kept for the detail retention.
    case pod
    /// Summed over the pods of a workload (labels without `pod`), kept for
    /// the full retention.
    case rollup
}

/// One stored series: identity, layout and its ring of increases.
public struct StoredSeries: Sendable {
    public var key: SeriesKey
    public var kind: MetricKind
    /// Finite bucket bounds (histograms).
    public var bounds: [Double]
    public var ring: SlotRing
    /// Last time (ms, data time) something was written.
    public var lastWrite: Int64
    /// Pod-level: index of the pod; rollup: number of live pod series feeding it.
    public var owner: Int
    /// Pod-level: the rollup it feeds.
    public var rollup: Int
    public var live: Bool

    /// Values per slot: 1 for counters and gauges; buckets + sum + count for
    /// histograms.
    public var width: Int { ring.width }
}
