/// When log records are forced to disk with `fdatasync`.
///
/// Every record is written (`write`) before the push is acknowledged, so a
/// killed process (`kill -9`, OOM kill, crash) loses nothing acknowledged:
/// the kernel still has the pages. `fdatasync` only matters when the machine
/// itself goes down (power loss, kernel panic), which is what the policy
/// trades against throughput. Snapshots are always fsync'd, whatever the
/// policy.
public enum LogSyncPolicy: Sendable, Hashable, CustomStringConvertible {
    /// `fdatasync` after every record: nothing acknowledged is lost even on
    /// power loss, at the cost of one disk flush per push (a few ms on most
    /// disks, all under the database lock).
    case everyRecord
    /// `fdatasync` when `Database.flush()` is called, which the server does
    /// every `milliseconds`: a power loss loses at most that much, and
    /// agents re-send their latest cumulative summary anyway.
    case interval(milliseconds: Int64)

    /// One second.
    public static let `default` = LogSyncPolicy.interval(milliseconds: 1_000)

    public var description: String {
        switch self {
        case .everyRecord: "fdatasync every record"
        case .interval(let ms): "fdatasync every \(ms) ms"
        }
    }
}
