/// What a sample line is within its family, derived from the metric name and
/// the family's declared type (`_bucket` of a histogram, `_sum`, ...).
public enum SampleRole: UInt8, Sendable, Hashable {
    /// The value of a counter, gauge or untyped family (or a summary quantile).
    case value
    /// A histogram `_bucket` line (carries `le`).
    case bucket
    /// A histogram or summary `_sum` line.
    case sum
    /// A histogram or summary `_count` line.
    case count
    /// An OpenMetrics `_created` line: a timestamp, not a value to aggregate.
    case created
}
