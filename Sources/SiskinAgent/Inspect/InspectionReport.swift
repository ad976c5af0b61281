/// What `siskin-agent inspect` found: sizes, counts, increases and timings.
/// Codable so `--format json` is the same data a script can check.
public struct InspectionReport: Sendable, Codable, Hashable {
    /// One input file (one scrape).
    public struct Scrape: Sendable, Codable, Hashable {
        public var name: String
        public var bytes: Int
        public var lines: Int
        /// Sample lines, including those of skipped families.
        public var series: Int
        public var families: Int
        public var familiesKept: Int
        public var samplesAggregated: Int
        public var newSeries: Int
        public var resets: Int
        public var errors: Int
        public var firstErrors: [String]
    }

    /// How much one family grew between the first and the last scrape.
    public struct Increase: Sendable, Codable, Hashable {
        public var family: String
        /// Counter total, or histogram observation count.
        public var increase: Double
        /// Histogram `_sum` increase (nil for counters).
        public var sumIncrease: Double?
    }

    /// Median timing of a kind of pass, with throughput.
    public struct Timing: Sendable, Codable, Hashable {
        public var passes: Int
        public var medianMilliseconds: Double
        public var minMilliseconds: Double
        /// Megabytes (10^6 bytes) of input per second at the median.
        public var megabytesPerSecond: Double?
    }

    public var rules: String
    public var scrapes: [Scrape]
    public var outputSeries: Int
    public var outputFamilies: [String]
    public var rawSeriesCached: Int
    /// Size of the last scrape's body.
    public var rawBytes: Int
    /// The last summary, wire-encoded before compression.
    public var encodedBytes: Int
    /// The last summary as pushed (zlib).
    public var compressedBytes: Int
    /// compressedBytes / rawBytes, in percent.
    public var compressedPercentOfRaw: Double
    public var increases: [Increase]
    public var repeatCount: Int
    /// First scrape into a fresh aggregator: parse, build caches, aggregate.
    public var cold: Timing
    /// Later scrapes: same series, new values.
    public var steady: Timing?
    /// Summary building, wire encoding and zlib compression.
    public var encode: Timing
}
