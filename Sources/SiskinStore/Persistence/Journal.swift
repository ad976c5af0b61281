/// The persistence state that changes with every push: the open log
/// segment, the status, and which files are still needed.
///
/// Lives under the database lock next to the store, so records reach the
/// log in the order pushes were applied. File I/O that may be slow (syncs,
/// snapshots, deletions) runs outside that lock; this type only hands out
/// what it needs and records the outcome.
struct Journal: Sendable {
    let syncPolicy: LogSyncPolicy
    /// The segment records go to; nil while no segment could be created.
    private(set) var log: PushLog?
    private(set) var status: PersistenceStatus
    /// Bytes of each segment on disk, for `logBytes`.
    private var segmentBytes: [UInt64: Int64]
    /// Good snapshots on disk, oldest first.
    private(set) var goodSnapshots: [UInt64]
    /// Highest sequence number any file uses; new segments go above it.
    private(set) var lastSequence: UInt64
    /// Failures so far: a snapshot makes persistence healthy again only if
    /// nothing failed after it started.
    private(set) var failures = 0
    /// Records written since the last `fdatasync` was started.
    private var unsynced = false

    /// Two snapshots are kept, and the log since the older one, so a
    /// snapshot damaged on disk can be replaced by the one before it plus
    /// the log.
    static let snapshotsKept = 2

    init(syncPolicy: LogSyncPolicy, log: PushLog?, status: PersistenceStatus,
         segmentBytes: [UInt64: Int64], goodSnapshots: [UInt64], lastSequence: UInt64) {
        self.syncPolicy = syncPolicy
        self.log = log
        self.status = status
        self.segmentBytes = segmentBytes
        self.goodSnapshots = goodSnapshots
        self.lastSequence = lastSequence
        self.status.logBytes = segmentBytes.values.reduce(0, +)
    }

    // MARK: Records

    /// Appends a record of a change already applied to memory. A failure
    /// drops the record and degrades persistence; memory is unaffected.
    mutating func append(_ record: LogRecord) {
        guard var current = log, current.isWritable else {
            status.recordsDropped += 1
            return
        }
        do {
            try current.append(record, sync: syncPolicy == .everyRecord)
            status.recordsWritten += 1
            unsynced = syncPolicy != .everyRecord
        } catch {
            status.recordsDropped += 1
            fail(error)
        }
        segmentBytes[current.sequence] = current.length
        status.logBytes = segmentBytes.values.reduce(0, +)
        log = current
    }

    /// A record that could not even be encoded (a summary the wire format
    /// cannot represent): applied, but not in the log.
    mutating func drop(because reason: String) {
        status.recordsDropped += 1
        failures += 1
        status.health = .degraded
        status.lastError = reason
    }

    mutating func fail(_ error: PersistenceError) {
        failures += 1
        status.health = .degraded
        status.lastError = error.description
    }

    // MARK: Syncing

    /// A descriptor of the current segment to `fdatasync` outside the lock,
    /// or nil when there is nothing to sync.
    mutating func syncTarget() -> (sequence: UInt64, file: SystemFile)? {
        guard unsynced, let log, log.isWritable else { return nil }
        do {
            let file = try log.file.duplicate()
            unsynced = false
            return (log.sequence, file)
        } catch {
            fail(error)
            return nil
        }
    }

    /// `fdatasync` of segment `sequence` failed: its pages may be gone, so
    /// it takes no more records (the next snapshot starts a new segment).
    mutating func syncFailed(sequence: UInt64, _ error: PersistenceError) {
        guard log?.sequence == sequence else { return }  // already replaced by a snapshot
        log?.markUnwritable()
        fail(error)
    }

    // MARK: Snapshots

    /// Makes `segment` the current one; returns the one it replaces.
    mutating func install(_ segment: PushLog) -> PushLog? {
        let previous = log
        log = segment
        status.logSegment = segment.name
        lastSequence = max(lastSequence, segment.sequence)
        segmentBytes[segment.sequence] = segment.length
        status.logBytes = segmentBytes.values.reduce(0, +)
        unsynced = false
        return previous
    }

    /// Files a newer snapshot made unnecessary.
    struct Obsolete: Sendable, Equatable {
        var snapshots: [UInt64] = []
        var segments: [UInt64] = []
    }

    /// Snapshot `sequence` is on disk. Returns what of `present` is no
    /// longer needed: snapshots older than the oldest kept one, and the
    /// segments that one covers.
    mutating func snapshotWritten(
        _ sequence: UInt64, createdAt: Int64, failuresBefore: Int, present: (segments: [UInt64], snapshots: [UInt64])
    ) -> Obsolete {
        goodSnapshots.append(sequence)
        if goodSnapshots.count > Self.snapshotsKept { goodSnapshots.removeFirst(goodSnapshots.count - Self.snapshotsKept) }
        status.lastSnapshotMilliseconds = createdAt
        status.snapshotsWritten += 1
        if failures == failuresBefore, log?.isWritable == true {
            status.health = .healthy
        }
        guard let oldest = goodSnapshots.first else { return Obsolete() }
        return Obsolete(snapshots: present.snapshots.filter { $0 < oldest },
                        segments: present.segments.filter { $0 < oldest })
    }

    /// Segments deleted from disk.
    mutating func removed(segments: [UInt64]) {
        for sequence in segments { segmentBytes[sequence] = nil }
        status.logBytes = segmentBytes.values.reduce(0, +)
    }
}
