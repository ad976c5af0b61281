/// Counts of one histogram series over Envoy's 20 buckets, plus its sum.
///
/// Used both for a sidecar's current (since-restart) state and as ground truth. Sums are
/// kept in fixed point (hundredths) so that totals are exact integers: a test can compare
/// "sum before restart + sum after" to the truth without floating-point slack, and the
/// rendered `_sum` is exactly what was accumulated.
public struct HistogramCounts: Sendable, Hashable {
    /// Per-bucket (non-cumulative) counts; index 19 is the `+Inf` overflow bucket.
    public internal(set) var bucketCounts: [UInt64]
    /// Number of observations (`_count`).
    public internal(set) var count: UInt64
    /// Sum of observations in hundredths of a unit (ms or bytes).
    public internal(set) var sumHundredths: UInt64

    /// An empty histogram.
    public init() {
        bucketCounts = [UInt64](repeating: 0, count: EnvoyHistogramBuckets.bucketCount)
        count = 0
        sumHundredths = 0
    }

    /// The empty histogram.
    public static let zero = HistogramCounts()

    /// Sum of observations (`_sum`), exact to 0.01.
    public var sum: Double { Double(sumHundredths) / 100 }

    /// Cumulative counts as printed on `_bucket` lines; the last equals `count`.
    public var cumulativeBucketCounts: [UInt64] {
        var running: UInt64 = 0
        return bucketCounts.map {
            running &+= $0
            return running
        }
    }

    /// Records one observation given in hundredths, e.g. 1234 for 12.34 ms.
    public mutating func observe(hundredths value: UInt64) {
        var index = 0
        let bounds = EnvoyHistogramBuckets.boundsInHundredths
        while value > bounds[index] { index += 1 }
        bucketCounts[index] &+= 1
        count &+= 1
        sumHundredths &+= value
    }

    /// Adds another histogram's counts (for deltas and for totals across series).
    public mutating func add(_ other: HistogramCounts) {
        for index in 0..<bucketCounts.count {
            bucketCounts[index] &+= other.bucketCounts[index]
        }
        count &+= other.count
        sumHundredths &+= other.sumHundredths
    }

    /// Zeroes every count in place (keeps the storage).
    mutating func reset() {
        for index in 0..<bucketCounts.count { bucketCounts[index] = 0 }
        count = 0
        sumHundredths = 0
    }
}
