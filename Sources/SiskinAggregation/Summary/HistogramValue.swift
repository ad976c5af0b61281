/// A cumulative classic (bucketed) histogram: what `_bucket`, `_sum` and
/// `_count` lines describe together.
public struct HistogramValue: Sendable, Hashable {
    /// Finite upper bounds, strictly ascending. `+Inf` is implicit.
    public var bounds: [Double]
    /// Cumulative counts, one per finite bound followed by the `+Inf` bucket,
    /// so `bucketCounts.count == bounds.count + 1`.
    public var bucketCounts: [SampleValue]
    /// Sum of observations (`_sum`).
    public var sum: Double
    /// Number of observations (`_count`).
    public var count: SampleValue

    public init(bounds: [Double], bucketCounts: [SampleValue], sum: Double, count: SampleValue) {
        precondition(bucketCounts.count == bounds.count + 1, "one bucket count per bound plus +Inf")
        self.bounds = bounds
        self.bucketCounts = bucketCounts
        self.sum = sum
        self.count = count
    }
}
