import SiskinQuery

/// One latency bucket: how many requests took at most `upperBound`
/// milliseconds and more than the previous bucket's bound (not cumulative).
public struct LatencyBucket: Sendable, Equatable, Hashable, Codable {
    public var upperBound: Double
    public var count: Double

    public init(upperBound: Double, count: Double) {
        self.upperBound = upperBound
        self.count = count
    }

    enum CodingKeys: String, CodingKey { case upperBound = "le", count }

    /// `le` is a number, or `"+Inf"` for the last bucket, as Prometheus
    /// writes it: JSON has no infinity, and a default `JSONEncoder` throws
    /// on one.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        if upperBound == .infinity {
            try container.encode("+Inf", forKey: .upperBound)
        } else {
            try container.encode(upperBound, forKey: .upperBound)
        }
        try container.encode(count, forKey: .count)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        if let text = try? container.decode(String.self, forKey: .upperBound) {
            guard let bound = text == "+Inf" || text == "Inf" ? Double.infinity : Double(text) else {
                throw DecodingError.dataCorruptedError(forKey: .upperBound, in: container,
                                                       debugDescription: "not a bucket bound: \(text)")
            }
            upperBound = bound
        } else {
            upperBound = try container.decode(Double.self, forKey: .upperBound)
        }
        count = try container.decode(Double.self, forKey: .count)
    }
}

/// One side of a canary comparison (the canary, or its primary) over the
/// judgement window: merged increases of `istio_requests_total` and of the
/// `istio_request_duration_milliseconds` buckets across the side's pods.
///
/// Counts may be fractional (increases are extrapolated to the window edges)
/// and are used as frequency weights, never rounded. Input is sanitized, so
/// any input judges without trapping: a NaN, infinite or negative count is
/// 0, errors are capped at requests, buckets are sorted by bound with equal
/// bounds merged, NaN and -∞ bounds are dropped (with their counts), and a
/// `+Inf` bucket is added if missing.
public struct TrafficSample: Sendable, Equatable, Codable {
    /// Requests in the window, all response codes.
    public let requests: Double
    /// 5xx responses in the window.
    public let errors: Double
    /// Non-cumulative latency buckets in milliseconds, sorted, `+Inf` last;
    /// empty when the side has no duration histogram.
    public let latency: [LatencyBucket]

    public init(requests: Double, errors: Double, latency: [LatencyBucket]) {
        let requests = TwoProportionTest.sanitized(requests)
        self.requests = requests
        self.errors = min(TwoProportionTest.sanitized(errors), requests)
        self.latency = Self.normalized(latency)
    }

    /// From per-bucket counts over `bounds` (finite, ascending, without
    /// `+Inf`), with `counts.count == bounds.count + 1`: the last count is the
    /// `+Inf` bucket. Missing counts are 0; extra ones go to `+Inf`.
    public init(requests: Double, errors: Double, bounds: [Double], counts: [Double]) {
        var buckets: [LatencyBucket] = []
        for (i, bound) in bounds.enumerated() {
            buckets.append(LatencyBucket(upperBound: bound, count: i < counts.count ? counts[i] : 0))
        }
        let overflow = counts.count > bounds.count ? counts[bounds.count...].map(TwoProportionTest.sanitized).reduce(0, +) : 0
        buckets.append(LatencyBucket(upperBound: .infinity, count: overflow))
        self.init(requests: requests, errors: errors, latency: buckets)
    }

    /// From cumulative bucket counts, as histogram totals and
    /// `HistogramQuantile` use them: (upper bound, observations ≤ bound).
    ///
    /// Like Prometheus, equal bounds are summed and a cumulative count below
    /// its predecessor (rounding of summed rates, or a reset caught mid-window)
    /// is raised to it rather than producing a negative bucket. Without a
    /// `+Inf` entry nothing is taken to lie above the last bound.
    public init(requests: Double, errors: Double, cumulativeBuckets: [(upperBound: Double, count: Double)]) {
        let sorted = cumulativeBuckets
            .filter { !$0.upperBound.isNaN && $0.upperBound != -.infinity }
            .map { (upperBound: $0.upperBound, count: TwoProportionTest.sanitized($0.count)) }
            .sorted { $0.upperBound < $1.upperBound }
        var merged: [(upperBound: Double, count: Double)] = []
        for bucket in sorted {
            if let last = merged.last, last.upperBound == bucket.upperBound {
                merged[merged.count - 1].count += bucket.count
            } else {
                merged.append(bucket)
            }
        }
        var buckets: [LatencyBucket] = []
        var previous = 0.0
        for bucket in merged {
            let cumulative = max(bucket.count, previous)
            buckets.append(LatencyBucket(upperBound: bucket.upperBound, count: cumulative - previous))
            previous = cumulative
        }
        self.init(requests: requests, errors: errors, latency: buckets)
    }

    enum CodingKeys: String, CodingKey { case requests, errors, latency }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(requests: try container.decode(Double.self, forKey: .requests),
                  errors: try container.decode(Double.self, forKey: .errors),
                  latency: try container.decodeIfPresent([LatencyBucket].self, forKey: .latency) ?? [])
    }

    /// Observations in the duration histogram (normally ≈ `requests`).
    public var observations: Double { latency.reduce(0) { $0 + $1.count } }

    /// 5xx share as a fraction, nil without requests.
    public var errorRate: Double? { requests > 0 ? errors / requests : nil }

    /// The latency buckets as (upper bound, cumulative count), `+Inf` last.
    public var cumulativeBuckets: [(upperBound: Double, count: Double)] {
        var running = 0.0
        return latency.map { running += $0.count; return (upperBound: $0.upperBound, count: running) }
    }

    /// The q-quantile of latency in milliseconds with Prometheus'
    /// `histogram_quantile` semantics (so it matches Siskin's and Grafana's
    /// numbers); nil without observations. A quantile in the `+Inf` bucket
    /// is the highest finite bound, a lower bound of the truth.
    public func latencyQuantile(_ q: Double) -> Double? {
        guard observations > 0 else { return nil }
        let value = HistogramQuantile.quantile(q, buckets: cumulativeBuckets)
        return value.isFinite ? value : nil
    }

    static func normalized(_ input: [LatencyBucket]) -> [LatencyBucket] {
        guard !input.isEmpty else { return [] }
        let valid = input
            .filter { !$0.upperBound.isNaN && $0.upperBound != -.infinity }
            .map { LatencyBucket(upperBound: $0.upperBound, count: TwoProportionTest.sanitized($0.count)) }
            .sorted { $0.upperBound < $1.upperBound }
        var merged: [LatencyBucket] = []
        for bucket in valid {
            if let last = merged.last, last.upperBound == bucket.upperBound {
                merged[merged.count - 1].count += bucket.count
            } else {
                merged.append(bucket)
            }
        }
        if merged.last?.upperBound != .infinity {
            merged.append(LatencyBucket(upperBound: .infinity, count: 0))
        }
        return merged
    }
}

/// Two histograms re-bucketed onto the bounds both have, for the rank test.
struct AlignedHistograms {
    /// Upper bounds, `+Inf` last.
    var bounds: [Double]
    var canary: [Double]
    var primary: [Double]

    /// Normally canary and primary run the same Envoy and share every bound.
    /// If not, both are coarsened to the common bounds: the cumulative count
    /// at a bound both sides have is known exactly, so merging adjacent
    /// buckets loses resolution but never misplaces an observation.
    init(canary: TrafficSample, primary: TrafficSample) {
        let canaryBounds = canary.latency.map(\.upperBound), primaryBounds = primary.latency.map(\.upperBound)
        if canaryBounds == primaryBounds {
            bounds = canaryBounds
            self.canary = canary.latency.map(\.count)
            self.primary = primary.latency.map(\.count)
            return
        }
        let common: [Double]
        if canaryBounds.isEmpty {
            common = primaryBounds
        } else if primaryBounds.isEmpty {
            common = canaryBounds
        } else {
            let other = Set(primaryBounds)
            common = canaryBounds.filter { other.contains($0) }  // both end with +Inf
        }
        bounds = common
        self.canary = Self.rebucket(canary.latency, onto: common)
        self.primary = Self.rebucket(primary.latency, onto: common)
    }

    static func rebucket(_ buckets: [LatencyBucket], onto bounds: [Double]) -> [Double] {
        var result = [Double](repeating: 0, count: bounds.count)
        var target = 0
        for bucket in buckets {
            while target < bounds.count - 1, bucket.upperBound > bounds[target] { target += 1 }
            if target < bounds.count { result[target] += bucket.count }
        }
        return result
    }

    /// Index of the bucket holding the q-quantile of `counts` (the first
    /// whose cumulative count reaches q·total), nil when empty.
    static func quantileBucket(_ q: Double, of counts: [Double]) -> Int? {
        let total = counts.reduce(0, +)
        guard total > 0 else { return nil }
        let rank = q * total
        var running = 0.0
        for (i, count) in counts.enumerated() {
            running += count
            if running >= rank { return i }
        }
        return counts.count - 1
    }
}
