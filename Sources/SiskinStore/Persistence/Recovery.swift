#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SiskinWire

/// Start-up: rebuilds the store from the data directory.
///
/// 1. Load the newest snapshot that reads back intact (checksum, structure,
///    slot width); a damaged one is skipped for the one before it.
/// 2. Replay every log segment from that snapshot's sequence on, in order,
///    through the same `WindowedStore.ingest`/`expire` calls with the times
///    recorded, which reproduces the state exactly. Each segment is read up
///    to its first bad record and cut there.
/// 3. Start a new segment above every existing file for the records to come.
///
/// Nothing here is fatal: a file that cannot be used is noted in the status
/// and the rest is recovered.
enum Recovery {
    /// Decoding limits for replay: whatever the server accepted must replay,
    /// so only the log's own record limit applies.
    static let replayLimits = DecodingLimits(
        maxCompressedBytes: PushLog.maxPayloadBytes, maxDecompressedBytes: 4 * PushLog.maxPayloadBytes)

    static func run(
        directory: DataDirectory, configuration: StoreConfiguration, syncPolicy: LogSyncPolicy
    ) throws(PersistenceError) -> (store: WindowedStore, journal: Journal) {
        try? directory.remove(DataDirectory.temporarySnapshotName)
        let present = try directory.inventory()
        var status = PersistenceStatus.disabled
        status.health = .healthy
        status.directory = directory.path

        // 1. The newest usable snapshot.
        var store = WindowedStore(configuration: configuration)
        var start: UInt64 = 0
        var goodSnapshots: [UInt64] = []
        for sequence in present.snapshots.reversed() {
            do {
                let loaded = try SnapshotFile.read(sequence: sequence, in: directory, configuration: configuration)
                store = loaded.store
                start = sequence
                goodSnapshots = [sequence]
                status.restoredSnapshot = DataDirectory.snapshotName(sequence)
                status.lastSnapshotMilliseconds = loaded.header.createdAt
                break
            } catch {
                status.recoveryNotes.append("skipped \(error)")
            }
        }
        if !present.snapshots.isEmpty && goodSnapshots.isEmpty {
            status.recoveryNotes.append("no usable snapshot: state rebuilt from the log segments left")
        }

        // 2. Replay.
        let decoder = SummaryDecoder(limits: replayLimits, cache: StringCache())
        var segmentBytes: [UInt64: Int64] = [:]
        var readFailure: PersistenceError?
        for sequence in present.segments {
            let name = DataDirectory.logName(sequence)
            guard sequence >= start else {
                // Covered by the snapshot; kept for an older snapshot's sake.
                if let size = try? SystemFile.open(directory.file(name), flags: O_RDONLY).size {
                    segmentBytes[sequence] = size
                }
                continue
            }
            do throws(PersistenceError) {
                let file = try SystemFile.open(directory.file(name), flags: O_RDONLY)
                let scan = try LogSegmentReader.read(file) { record in
                    switch record {
                    case .push(let receivedAt, let body)?:
                        guard let summary = try? decoder.decode(body) else {
                            status.recordsSkipped += 1
                            return
                        }
                        _ = store.ingest(summary, now: receivedAt)
                        status.recordsReplayed += 1
                    case .expire(let now)?:
                        store.expire(now: now)
                        status.recordsReplayed += 1
                    case .resume(let now)?:
                        store.resume(now: now)
                        status.recordsReplayed += 1
                    case nil:
                        status.recordsSkipped += 1
                    }
                }
                segmentBytes[sequence] = scan.fileLength
                switch scan.outcome {
                case .complete:
                    break
                case .torn(let reason):
                    status.tornBytesDiscarded += scan.discardedBytes
                    status.recoveryNotes.append(
                        "\(name): \(reason); \(scan.discardedBytes) bytes after \(scan.records) records discarded")
                    do {
                        try SystemFile.open(directory.file(name), flags: O_WRONLY).truncate(to: scan.validLength)
                        segmentBytes[sequence] = scan.validLength
                    } catch {
                        // Harmless: old segments are never appended to.
                        status.recoveryNotes.append("\(name): \(error)")
                    }
                case .foreign(let reason):
                    status.recoveryNotes.append("\(name): \(reason); left as is")
                }
            } catch {
                status.recoveryNotes.append("\(name): \(error)")
                readFailure = error
            }
        }
        if status.recordsSkipped > 0 {
            status.recoveryNotes.append("\(status.recordsSkipped) intact log records could not be replayed")
        }

        // 3. A fresh segment for new records.
        let lastSequence = max(present.segments.last ?? 0, present.snapshots.last ?? 0, start)
        var journal = Journal(
            syncPolicy: syncPolicy, log: nil, status: status,
            segmentBytes: segmentBytes, goodSnapshots: goodSnapshots, lastSequence: lastSequence)
        if let readFailure { journal.fail(readFailure) }
        do {
            _ = journal.install(try PushLog.create(in: directory, sequence: lastSequence + 1))
            try directory.sync()
        } catch {
            journal.fail(error)
        }
        return (store, journal)
    }
}
