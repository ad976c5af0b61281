/// Request latencies in fixed memory, with quantiles good to better than 1 %.
///
/// A long run at a high rate sends millions of pushes; keeping every latency
/// to sort at the end would grow without bound. Values are microseconds in
/// log-linear buckets (HdrHistogram's layout): exact below 128 µs, then 128
/// buckets per power of two, so every bucket is narrower than 0.8 % of its
/// value. 4 480 buckets cover up to 2^40 µs; the exact maximum is kept apart.
struct LatencyHistogram: Sendable {
    private static let subBuckets = 128
    private static let subBits = 7
    private static let bucketCount = subBuckets + (40 - subBits + 1) * subBuckets

    private var counts = [UInt64](repeating: 0, count: LatencyHistogram.bucketCount)
    private(set) var count: UInt64 = 0
    private(set) var totalMicroseconds: Double = 0
    private(set) var maxMicroseconds: UInt64 = 0

    mutating func record(nanoseconds: UInt64) {
        let micros = nanoseconds / 1000
        counts[Self.index(of: micros)] += 1
        count += 1
        totalMicroseconds += Double(micros)
        maxMicroseconds = max(maxMicroseconds, micros)
    }

    mutating func merge(_ other: LatencyHistogram) {
        for index in counts.indices { counts[index] += other.counts[index] }
        count += other.count
        totalMicroseconds += other.totalMicroseconds
        maxMicroseconds = max(maxMicroseconds, other.maxMicroseconds)
    }

    /// The `q`-quantile (0...1) in microseconds: the upper edge of the bucket
    /// holding it, never above the true maximum; nil when empty.
    func quantile(_ q: Double) -> UInt64? {
        guard count > 0 else { return nil }
        let rank = max(1, UInt64((q * Double(count)).rounded(.up)))
        var seen: UInt64 = 0
        for (index, bucketCount) in counts.enumerated() where bucketCount > 0 {
            seen += bucketCount
            if seen >= rank { return min(Self.upperEdge(of: index), maxMicroseconds) }
        }
        return maxMicroseconds
    }

    var meanMicroseconds: Double? { count > 0 ? totalMicroseconds / Double(count) : nil }

    static func index(of micros: UInt64) -> Int {
        if micros < UInt64(subBuckets) { return Int(micros) }
        let exponent = min(63 - micros.leadingZeroBitCount, 40)
        let shift = exponent - subBits
        let sub = Int(min(micros >> UInt64(shift), UInt64(2 * subBuckets - 1))) - subBuckets
        return subBuckets + shift * subBuckets + sub
    }

    static func upperEdge(of index: Int) -> UInt64 {
        if index < subBuckets { return UInt64(index) }
        let shift = (index - subBuckets) / subBuckets
        let sub = (index - subBuckets) % subBuckets
        return (UInt64(subBuckets + sub + 1) << UInt64(shift)) - 1
    }
}
