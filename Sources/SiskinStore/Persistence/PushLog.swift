#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The log segment records are appended to: `log-<seq>.siskin`, an 8-byte
/// header (`SKLG`, u32 LE version) followed by `LogRecord`s, or empty.
///
/// Records go out with one `write` each, after the push was applied to
/// memory and before the agent gets its answer, so a `kill -9` finds every
/// answered push in the page cache. `fdatasync` is separate (`sync()`,
/// called on the sync policy's schedule): waiting for the disk on every push
/// would cap ingest at the disk's flush rate for no gain against process
/// crashes. A new segment starts at every snapshot and every start-up, so
/// old segments are never written again and can be deleted whole.
struct PushLog: Sendable {
    static let magic: [UInt8] = Array("SKLG".utf8)
    static let version: UInt32 = 1
    static let headerBytes = 8
    /// Largest payload accepted, writing or reading: a push body is at most
    /// a few MiB, and a damaged length field must not make recovery
    /// allocate gigabytes.
    static let maxPayloadBytes = 64 << 20

    let sequence: UInt64
    let file: SystemFile
    /// End of the last complete record: where a failed append is cut back to.
    private(set) var length: Int64
    /// False once an append or sync failed and the segment may hold a
    /// partial record or lost pages: later records would not be read back.
    private(set) var isWritable = true

    var name: String { DataDirectory.logName(sequence) }

    static var header: [UInt8] {
        var writer = BinaryWriter(capacity: headerBytes)
        writer.raw(magic)
        writer.uint32(version)
        return writer.drain()
    }

    /// Creates segment `sequence` (replacing any file of that name). The
    /// header goes out with the first record, in the same `write`: an empty
    /// segment is a valid one, so a crash right after creating it, or a
    /// full disk, leaves nothing half-written.
    static func create(in directory: DataDirectory, sequence: UInt64) throws(PersistenceError) -> PushLog {
        let path = directory.file(DataDirectory.logName(sequence))
        let file = try SystemFile.open(path, flags: O_WRONLY | O_CREAT | O_TRUNC | O_APPEND)
        return PushLog(sequence: sequence, file: file, length: 0)
    }

    /// Appends one record; with `sync`, waits until it is on disk.
    ///
    /// On failure the record is not in the log: a partial write is cut off
    /// again, and if even that fails the segment takes no more records.
    mutating func append(_ record: LogRecord, sync: Bool) throws(PersistenceError) {
        guard isWritable else { throw .system(operation: "append to", path: file.path, errno: EBADF) }
        guard record.payloadCount <= Self.maxPayloadBytes else {
            throw .system(operation: "append to", path: file.path, errno: EFBIG)
        }
        let bytes = length == 0 ? Self.header + record.framed() : record.framed()
        do {
            try file.writeAll(bytes)
        } catch {
            do {
                try file.truncate(to: length)
            } catch {
                isWritable = false
            }
            throw error
        }
        length += Int64(bytes.count)
        if sync {
            do {
                try file.syncData()
            } catch {
                isWritable = false
                throw error
            }
        }
    }

    /// Stops appends to this segment (after a failed `fdatasync`, whose
    /// pages the kernel may have dropped).
    mutating func markUnwritable() {
        isWritable = false
    }
}
