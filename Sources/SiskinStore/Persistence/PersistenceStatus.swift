/// How persistence is doing, for `/readyz`, metrics and logs.
public struct PersistenceStatus: Sendable, Equatable, CustomStringConvertible {
    public enum Health: String, Sendable, Equatable {
        /// No data directory: state lives in memory only.
        case disabled
        /// Every applied push since the last snapshot is in the log.
        case healthy
        /// A write failed (full disk, I/O error): the server keeps serving
        /// from memory, but a restart would lose changes since the last good
        /// snapshot. Cleared by the next successful snapshot.
        case degraded
    }

    public var health: Health
    /// The data directory, if any.
    public var directory: String?
    /// The failure that degraded persistence (or the last one, after
    /// recovering), e.g. `write log-…: No space left on device (errno 28)`.
    public var lastError: String?
    /// Aggregator time (ms) the newest good snapshot was taken at, loaded at
    /// start-up or written since.
    public var lastSnapshotMilliseconds: Int64?
    /// The log segment records are appended to, if one could be created.
    public var logSegment: String?
    /// Bytes in log segments on disk.
    public var logBytes: Int64
    /// Records appended since start-up.
    public var recordsWritten: Int
    /// Applied changes that are not in the log because writing failed.
    public var recordsDropped: Int
    /// Snapshots written since start-up.
    public var snapshotsWritten: Int

    // Start-up recovery.

    /// The snapshot the state was loaded from, if any.
    public var restoredSnapshot: String?
    /// Log records replayed after it.
    public var recordsReplayed: Int
    /// Intact records replay could not use (undecodable body, unknown kind).
    public var recordsSkipped: Int
    /// Bytes cut off log segments: a torn last record after `kill -9`, or
    /// everything after a damaged one.
    public var tornBytesDiscarded: Int64
    /// What recovery had to work around (a corrupt newest snapshot, a torn
    /// segment, an unreadable file), one line each.
    public var recoveryNotes: [String]

    /// Ready for traffic as far as persistence goes: not degraded.
    public var isHealthy: Bool { health != .degraded }

    /// One line for logs and `/readyz`.
    public var summary: String {
        switch health {
        case .disabled:
            return "disabled (in memory only)"
        case .healthy, .degraded:
            var parts = [health.rawValue]
            if health == .degraded, let lastError { parts.append(lastError) }
            parts.append("log \(logBytes) bytes")
            if let restoredSnapshot { parts.append("restored \(restoredSnapshot)") }
            parts.append("replayed \(recordsReplayed) records")
            if tornBytesDiscarded > 0 { parts.append("discarded \(tornBytesDiscarded) torn bytes") }
            if recordsDropped > 0 { parts.append("\(recordsDropped) records not logged") }
            return parts.joined(separator: "; ")
        }
    }

    public var description: String { summary }

    static let disabled = PersistenceStatus(
        health: .disabled, logBytes: 0, recordsWritten: 0, recordsDropped: 0, snapshotsWritten: 0,
        recordsReplayed: 0, recordsSkipped: 0, tornBytesDiscarded: 0, recoveryNotes: [])
}
