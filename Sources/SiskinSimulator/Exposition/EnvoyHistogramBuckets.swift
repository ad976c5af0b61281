/// Envoy's default histogram bucket bounds, shared by every Istio and Envoy histogram the
/// simulator prints, with the exact `le` spellings Envoy uses ("0.5", "1", "3600000",
/// never "1.0" or "3.6e+06"): an aggregator keys buckets by these strings, so they must
/// match a real proxy byte for byte.
public enum EnvoyHistogramBuckets {
    /// The 19 finite upper bounds, in order.
    public static let bounds: [Double] = [
        0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000,
        300_000, 600_000, 1_800_000, 3_600_000,
    ]

    /// The `le` label values as printed, including the final "+Inf".
    public static let leValues: [String] = [
        "0.5", "1", "5", "10", "25", "50", "100", "250", "500", "1000", "2500", "5000",
        "10000", "30000", "60000", "300000", "600000", "1800000", "3600000", "+Inf",
    ]

    /// Number of bucket lines per histogram series (19 finite + `+Inf`).
    public static let bucketCount = 20

    /// Upper bounds in hundredths of a unit, for exact integer bucketing of values that the
    /// simulator keeps in fixed point. The last entry stands for `+Inf`.
    static let boundsInHundredths: [UInt64] = bounds.map { UInt64($0 * 100) } + [UInt64.max]

    /// `,le="<bound>"} ` for each bucket, precomputed so rendering a bucket line is a copy.
    static let leSuffixes: [[UInt8]] = leValues.map { Array(",le=\"\($0)\"} ".utf8) }

    /// `{le="<bound>"} ` for histograms without other labels.
    static let bareLeSuffixes: [[UInt8]] = leValues.map { Array("{le=\"\($0)\"} ".utf8) }
}
