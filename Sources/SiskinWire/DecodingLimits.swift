/// Bounds a decoder enforces on untrusted input, so that a hostile or broken
/// frame costs at most a bounded amount of memory and time.
///
/// Every count read from the input is checked against its limit and against
/// the bytes that remain *before* anything is allocated for it, so memory stays
/// proportional to the (limited) payload size whatever the counts claim.
public struct DecodingLimits: Sendable, Hashable {
    /// Largest accepted frame, header included. A real summary is 5–50 KB.
    public var maxCompressedBytes: Int
    /// Largest accepted payload after inflating. Checked against the header
    /// before inflating, and inflating stops at the declared length, so a zip
    /// bomb fails after producing at most this many bytes.
    public var maxDecompressedBytes: Int
    /// Most entries in the string dictionary.
    public var maxStrings: Int
    /// Longest dictionary string, in UTF-8 bytes.
    public var maxStringLength: Int
    /// Most metric families.
    public var maxFamilies: Int
    /// Most series over all families. Also bounds the label-set and bound-set
    /// tables, whose entries each serve at least one series.
    public var maxSeries: Int
    /// Most labels in one series' label set; also bounds the pod labels and
    /// metadata entries.
    public var maxLabelsPerSeries: Int
    /// Most buckets in one histogram, the `+Inf` bucket included (so at most
    /// `maxBucketsPerHistogram - 1` bounds).
    public var maxBucketsPerHistogram: Int

    public init(
        maxCompressedBytes: Int = 4 << 20,
        maxDecompressedBytes: Int = 16 << 20,
        maxStrings: Int = 1 << 20,
        maxStringLength: Int = 64 << 10,
        maxFamilies: Int = 16_384,
        maxSeries: Int = 1 << 20,
        maxLabelsPerSeries: Int = 256,
        maxBucketsPerHistogram: Int = 512
    ) {
        self.maxCompressedBytes = maxCompressedBytes
        self.maxDecompressedBytes = maxDecompressedBytes
        self.maxStrings = maxStrings
        self.maxStringLength = maxStringLength
        self.maxFamilies = maxFamilies
        self.maxSeries = maxSeries
        self.maxLabelsPerSeries = maxLabelsPerSeries
        self.maxBucketsPerHistogram = maxBucketsPerHistogram
    }

    /// Generous for any sidecar (a 1 600-series Envoy summary is a 35 KB
    /// frame with a 65 KB payload) yet small enough that one hostile frame
    /// cannot exhaust an aggregator: 4 MiB frame, 16 MiB payload, 1 Mi strings
    /// of at most 64 KiB, 16 Ki families, 1 Mi series, 256 labels, 512 buckets.
    public static let `default` = DecodingLimits()
}
