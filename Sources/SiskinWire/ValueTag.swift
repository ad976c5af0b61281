/// Tag bytes of the v1 payload. Raw values are part of the format: never
/// renumber; a v2 may add tags.
enum ValueTag {
    /// A `SampleValue.integer`: varint follows.
    static let integer: UInt8 = 0
    /// A `SampleValue.float`: 8-byte little-endian IEEE-754 double follows.
    static let float: UInt8 = 1
    /// Histogram count only: equal to the `+Inf` bucket, nothing follows.
    static let sameAsInfBucket: UInt8 = 2
}

/// How one histogram's cumulative buckets are written.
enum BucketEncoding {
    /// All buckets integer and non-decreasing: first bucket as a varint, then
    /// each bucket's increase over the previous one as a varint.
    static let integerDeltas: UInt8 = 0
    /// Anything else (floats, decreasing values): every bucket as a tagged
    /// value (`ValueTag.integer` or `ValueTag.float`).
    static let tagged: UInt8 = 1
}
