#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Snapshot files on disk: written so that a crash at any point leaves
/// either the old set of snapshots or the old set plus the new one, never a
/// half-written file under a snapshot name.
///
/// Write `snapshot.tmp`, `fsync` it, rename it to `snapshot-<seq>.siskin`,
/// `fsync` the directory. A leftover `snapshot.tmp` is removed at start-up.
enum SnapshotFile {
    /// Streams encoded chunks into the temporary file.
    private struct FileSink: SnapshotSink {
        let file: SystemFile
        func write(_ bytes: [UInt8]) throws(PersistenceError) { try file.writeAll(bytes) }
    }

    /// Writes `store` as the state before log segment `sequence`.
    static func write(
        _ store: WindowedStore, sequence: UInt64, createdAt: Int64, in directory: DataDirectory
    ) throws(PersistenceError) {
        let temporary = DataDirectory.temporarySnapshotName
        do throws(PersistenceError) {
            let file = try SystemFile.open(directory.file(temporary), flags: O_WRONLY | O_CREAT | O_TRUNC)
            var sink = FileSink(file: file)
            try SnapshotEncoder.encode(store, sequence: sequence, createdAt: createdAt, into: &sink)
            try file.sync()
            try directory.rename(temporary, to: DataDirectory.snapshotName(sequence))
            try directory.sync()
        } catch {
            try? directory.remove(temporary)
            throw error
        }
    }

    /// Reads, verifies and decodes snapshot `sequence`.
    static func read(
        sequence: UInt64, in directory: DataDirectory, configuration: StoreConfiguration
    ) throws(PersistenceError) -> (header: SnapshotDecoder.Header, store: WindowedStore) {
        let name = DataDirectory.snapshotName(sequence)
        let file = try SystemFile.open(directory.file(name), flags: O_RDONLY)
        let size = try file.size
        guard size <= Int64(Int.max) else { throw .corrupt(file: name, reason: "\(size) bytes") }
        let bytes = try file.read(count: Int(size), at: 0)
        guard Int64(bytes.count) == size else { throw .corrupt(file: name, reason: "file shrank while reading") }
        do throws(SnapshotDecoder.Failure) {
            let (header, store) = try SnapshotDecoder.decode(bytes, configuration: configuration)
            guard header.sequence == sequence else {
                throw SnapshotDecoder.Failure.corrupt("holds the state before segment \(header.sequence), named \(sequence)")
            }
            return (header, store)
        } catch {
            switch error {
            case .corrupt(let reason): throw .corrupt(file: name, reason: reason)
            case .incompatible(let reason): throw .incompatible(file: name, reason: reason)
            }
        }
    }
}
