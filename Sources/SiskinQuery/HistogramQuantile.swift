/// Prometheus' `histogram_quantile` for classic histograms, so native
/// answers and PromQL answers agree with a real Prometheus to the last digit.
///
/// Buckets are (upper bound, cumulative count) pairs including `+Inf`. The
/// quantile is interpolated linearly inside the bucket that holds its rank,
/// with 0 as the lower edge of the first bucket when its bound is positive; a
/// rank in the `+Inf` bucket returns the highest finite bound.
public enum HistogramQuantile {
    /// Relative difference below which two bucket counts are the same.
    public static let smallDeltaTolerance = 1e-12

    public static func quantile(_ q: Double, buckets input: [(upperBound: Double, count: Double)]) -> Double {
        if q.isNaN { return .nan }
        if q < 0 { return -.infinity }
        if q > 1 { return .infinity }
        var buckets = input.sorted { $0.upperBound < $1.upperBound }
        guard buckets.count >= 2, buckets.last?.upperBound == .infinity else { return .nan }
        // Merge equal bounds (Prometheus coalesces them).
        var merged: [(upperBound: Double, count: Double)] = []
        for b in buckets {
            if let last = merged.last, last.upperBound == b.upperBound {
                merged[merged.count - 1].count += b.count
            } else {
                merged.append(b)
            }
        }
        buckets = merged
        guard buckets.count >= 2 else { return .nan }
        // Cumulative counts must not decrease, yet summed rates can make them
        // differ in the last bits or even go down. As Prometheus does: counts
        // within a relative 1e-12 of the last kept one are taken as equal, and
        // a decrease is ignored; neither moves the reference.
        var reference = buckets[0].count
        for i in 1..<buckets.count {
            let current = buckets[i].count
            if current == reference { continue }
            if abs(current - reference) <= Self.smallDeltaTolerance * max(abs(current), abs(reference)) || current < reference {
                buckets[i].count = reference
                continue
            }
            reference = current
        }
        let observations = buckets[buckets.count - 1].count
        if observations == 0 || observations.isNaN { return .nan }
        var rank = q * observations
        // First bucket (the +Inf bucket excluded) whose count reaches the rank.
        var b = buckets.count - 1
        for i in 0..<(buckets.count - 1) where buckets[i].count >= rank {
            b = i
            break
        }
        if b == buckets.count - 1 { return buckets[buckets.count - 2].upperBound }
        if b == 0, buckets[0].upperBound <= 0 { return buckets[0].upperBound }
        var start = 0.0
        let end = buckets[b].upperBound
        var count = buckets[b].count
        if b > 0 {
            start = buckets[b - 1].upperBound
            count -= buckets[b - 1].count
            rank -= buckets[b - 1].count
        }
        return start + (end - start) * (rank / count)
    }
}
