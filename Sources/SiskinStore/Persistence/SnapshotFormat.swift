/// Constants and layout of a snapshot file, version 1 (see
/// `docs/aggregator.md`, "Persistence").
///
/// ```
/// "SKSN" | u32 version | body | u32 CRC-32 of everything before it
/// body: u64 log sequence, zigzag created-at ms, zigzag slot ms,
///       zigzag rollup slot ms, zigzag data-since ms,
///       pods    (varint count, each: flag live [, stream, slot map, times]),
///       varint-list free pods,
///       series  (varint count, each: flag live [, series]), free series,
///       rollups (same), free rollups
/// ```
///
/// Only what cannot be derived is stored: label postings, the rollup and pod
/// indexes, the stream's key index and the string interner are rebuilt on
/// load. Strings are written once and referenced after (varint 0 = a new
/// string follows, n = the (n-1)th string), which also gives the restored
/// store one copy per distinct string. Free lists and dead entries keep
/// their positions, so ids (and the ids replay hands out next) are the same
/// as before the restart. Rings are written oldest slot first, values as
/// runs (`varint zeros, varint n, n × f64`), because most slots of most
/// series are zero.
enum SnapshotFormat {
    static let magic: [UInt8] = Array("SKSN".utf8)
    static let version: UInt32 = 1
    static let headerBytes = 8
    static let trailerBytes = 4

    /// Most finite bounds a histogram series may have in a snapshot. The
    /// wire format's default limit is 511; the cap only keeps a damaged file
    /// from asking for huge rings.
    static let maxBounds = 4_096

    /// Furthest from zero a ring head (slot number) may be: slots are
    /// epoch milliseconds over the slot width, so real ones are far smaller,
    /// and the bound keeps slot arithmetic clear of overflow.
    static let maxSlotMagnitude: Int64 = 1 << 52

    /// Furthest from zero a time (ms) may be, and most a counter such as a
    /// stream's push count may hold: ±285 000 years around 1970 is every
    /// real clock, and keeps the store's time arithmetic (differences,
    /// `3 × interval`) clear of overflow on whatever a file says.
    static let maxTimeMagnitude: Int64 = 1 << 53
}
