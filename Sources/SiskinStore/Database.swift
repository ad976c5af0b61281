import SiskinAggregation
import SiskinIngest
import SiskinSync
import SiskinWire
import Synchronization

/// The aggregator's state behind one lock: the windowed store, and (when a
/// data directory is configured) its persistence.
///
/// Decoding happens before the lock; the lock covers applying a decoded push
/// (tens of microseconds), appending its log record (one `write`), and
/// reading for a query. Snapshots copy the store under the lock (copy on
/// write, so the copy is cheap) and encode and write it outside.
///
/// Persistence never takes the server down: a failed write (full disk, I/O
/// error) degrades `persistence`, the change stays in memory, and the next
/// successful snapshot makes the directory whole again. See
/// `docs/aggregator.md`, "Persistence".
public final class Database: Sendable {
    private struct Core: Sendable {
        var store: WindowedStore
        var journal: Journal?
    }

    private let state: Mutex<Core>
    /// Serialises snapshots (taken before `state`, never after).
    private let snapshotting = Mutex(())
    private let directory: DataDirectory?
    public let configuration: StoreConfiguration
    public let logSync: LogSyncPolicy

    /// An in-memory database.
    public init(configuration: StoreConfiguration = .default) {
        self.configuration = configuration
        logSync = .default
        directory = nil
        state = Mutex(Core(store: WindowedStore(configuration: configuration), journal: nil))
    }

    /// A database persisted in `dataDirectory` (in memory when nil).
    ///
    /// Creates the directory if needed, takes its lock, loads the newest
    /// intact snapshot and replays the log after it. Throws only when the
    /// directory cannot be created, listed or locked (another aggregator
    /// uses it); damaged files are skipped and reported in `persistence`.
    public init(
        configuration: StoreConfiguration = .default, dataDirectory: String?, logSync: LogSyncPolicy = .default
    ) throws(PersistenceError) {
        self.configuration = configuration
        self.logSync = logSync
        guard let dataDirectory else {
            directory = nil
            state = Mutex(Core(store: WindowedStore(configuration: configuration), journal: nil))
            return
        }
        let directory = try DataDirectory(path: dataDirectory)
        let recovered = try Recovery.run(directory: directory, configuration: configuration, syncPolicy: logSync)
        self.directory = directory
        state = Mutex(Core(store: recovered.store, journal: recovered.journal))
    }

    // MARK: Ingest

    /// Applies a decoded push received at `now` (ms since the epoch).
    ///
    /// With persistence, the summary is re-encoded for the log; the server
    /// passes the body it received instead (`ingest(_:body:now:)`). A
    /// summary the wire format cannot carry (a family holding readings of
    /// another kind, a malformed histogram) is applied but cannot be logged:
    /// persistence is degraded until the next snapshot captures it.
    public func ingest(_ summary: PodSummary, now: Int64) -> IngestOutcome {
        guard directory != nil else { return state.locked { $0.store.ingest(summary, now: now) } }
        switch Result(catching: { () throws(WireError) in try SummaryEncoder(compressionLevel: 1).encode(summary) }) {
        case .success(let encoded):
            return ingest(summary, body: encoded.bytes, now: now)
        case .failure(let error):
            return state.locked { core in
                let outcome = core.store.ingest(summary, now: now)
                if case .applied = outcome { core.journal?.drop(because: "push not logged: \(error)") }
                return outcome
            }
        }
    }

    /// Applies a push decoded from `body` (the wire frame exactly as
    /// received) at `now`; with persistence, an applied push is appended to
    /// the log before this returns, under the same lock, so the log's order
    /// is the order pushes were applied in.
    public func ingest(_ summary: PodSummary, body: [UInt8], now: Int64) -> IngestOutcome {
        state.locked { core in
            let outcome = core.store.ingest(summary, now: now)
            if case .applied = outcome { core.journal?.append(.push(receivedAt: now, body: body)) }
            return outcome
        }
    }

    /// Drops stale pods and expired rollups. A pass that dropped something
    /// is logged, so replay drops it at the same point.
    @discardableResult
    public func expire(now: Int64) -> Int {
        state.locked { core in
            let pods = core.store.podCount
            let rollups = core.store.rollupCount
            let series = core.store.seriesCount
            let dropped = core.store.expire(now: now)
            if core.store.podCount != pods || core.store.rollupCount != rollups || core.store.seriesCount != series {
                core.journal?.append(.expire(now: now))
            }
            return dropped
        }
    }

    /// Marks the restart of a persisted aggregator at `now` (logged, so
    /// replay repeats it): the time it was down does not count toward pod
    /// staleness (`WindowedStore.resume`). `siskin serve` calls it once the
    /// state is loaded.
    public func resume(now: Int64) {
        state.locked { core in
            core.store.resume(now: now)
            core.journal?.append(.resume(now: now))
        }
    }

    /// Runs `body` with read access to the store.
    public func read<T>(_ body: (borrowing WindowedStore) throws -> T) rethrows -> T {
        try state.locked { try body($0.store) }
    }

    // MARK: Persistence

    /// How persistence is doing (`.disabled` in memory).
    public var persistence: PersistenceStatus {
        state.locked { $0.journal?.status } ?? .disabled
    }

    /// Forces log records written so far to disk (`fdatasync`). The server
    /// calls it on the `logSync` interval; a no-op without persistence or
    /// new records. A failure degrades persistence until the next snapshot.
    public func flush() {
        guard let target = state.locked({ $0.journal?.syncTarget() }) else { return }
        do {
            try target.file.syncData()
        } catch {
            state.locked { $0.journal?.syncFailed(sequence: target.sequence, error) }
        }
    }

    /// Writes a snapshot of the whole store taken at `now` and deletes the
    /// files it makes unnecessary. Starts a new log segment first, so the
    /// snapshot plus the segments from it on are the complete state. A no-op
    /// without persistence. Blocks for as long as the write takes (ingest
    /// continues meanwhile); on failure persistence is degraded and the
    /// error thrown, and the next call tries again.
    public func snapshot(now: Int64) throws(PersistenceError) {
        guard let directory else { return }
        try snapshotting.locked { _ throws(PersistenceError) in
            try writeSnapshot(now: now, directory: directory)
        }
    }

    private func writeSnapshot(now: Int64, directory: DataDirectory) throws(PersistenceError) {
        guard let next = state.locked({ $0.journal.map { $0.lastSequence + 1 } }) else { return }
        let segment: PushLog
        do {
            segment = try PushLog.create(in: directory, sequence: next)
        } catch {
            state.locked { $0.journal?.fail(error) }
            throw error
        }
        // From here on records go to the new segment, and `store` is exactly
        // the state they apply to.
        let (store, previous, failures) = state.locked { core in
            (core.store, core.journal?.install(segment), core.journal?.failures ?? 0)
        }
        // The old segment is covered by the snapshot; syncing it still keeps
        // it useful should the snapshot fail.
        try? previous?.file.syncData()
        do {
            try SnapshotFile.write(store, sequence: next, createdAt: now, in: directory)
        } catch {
            state.locked { $0.journal?.fail(error) }
            throw error
        }
        let present = (try? directory.inventory()) ?? (segments: [], snapshots: [])
        let obsolete = state.locked { core in
            core.journal?.snapshotWritten(next, createdAt: now, failuresBefore: failures, present: present)
        }
        guard let obsolete else { return }
        var removed: [UInt64] = []
        for sequence in obsolete.snapshots { try? directory.remove(DataDirectory.snapshotName(sequence)) }
        for sequence in obsolete.segments where (try? directory.remove(DataDirectory.logName(sequence))) != nil {
            removed.append(sequence)
        }
        state.locked { $0.journal?.removed(segments: removed) }
    }
}
