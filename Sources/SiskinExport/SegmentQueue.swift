#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import SiskinStore

/// A durable FIFO of `QueuedBatch`es in one directory: one shard's queue of
/// one remote-write endpoint (`<data-dir>/remote-write/<endpoint>/shard-<i>-of-<n>/`).
///
/// ```
/// segment-<16-digit seq>.siskin   "SKRQ", u32 LE version 1, then CRC-framed
///                                 records (SiskinStore's FramedRecord), each
///                                 one batch (QueuedBatch.payload)
/// cursor                          "SKRC", u64 segment, i64 offset after the
///                                 last acknowledged record, i64 its `through`,
///                                 u32 CRC-32 of the 28 bytes before it
/// ```
///
/// Batches are appended with one `write` each (a `kill -9` finds them in the
/// page cache), read back in order by the one sender of the shard, and
/// acknowledged once delivered or refused for good: the cursor is rewritten
/// in place (`pwrite`), and a segment is deleted once every record in it is
/// acknowledged and no more go to it. Segments are `fdatasync`'d when they
/// are closed (a new one starts every `segmentBytes` and at every start-up);
/// neither appends nor the cursor are synced, so a power loss can lose the
/// newest batches or re-send a few acknowledged ones, never corrupt the rest.
///
/// Bounded by `maxBytes` of files: past it the oldest segment is deleted and
/// the samples it still held are counted as dropped. At start-up every
/// segment is read back; reading stops at the first record that is short
/// or fails its checksum (a torn tail after `kill -9`, or damage), which is
/// skipped with a note, never trusted. Not thread-safe: `ShardQueue` holds it
/// under its lock.
struct SegmentQueue {
    static let magic: [UInt8] = Array("SKRQ".utf8)
    static let version: UInt32 = 1
    static let headerBytes = 8
    static let prefix = "segment-"
    static let suffix = ".siskin"
    static let cursorName = "cursor"
    static let cursorMagic: [UInt8] = Array("SKRC".utf8)
    static let cursorBytes = 32
    /// Largest record accepted, writing or reading (a batch of 5,000 samples
    /// is ≈ 350 KB): a damaged length must not make a reader allocate more.
    static let maxPayloadBytes = 64 << 20

    struct Entry {
        var offset: Int64
        var end: Int64
        var samples: Int
        var through: Int64
    }

    struct Segment {
        let sequence: UInt64
        var length: Int64
        var entries: [Entry] = []
        /// Records handed to the sender, and records acknowledged (at most
        /// one fewer: one batch is in flight at a time).
        var taken = 0
        var acked = 0
        var reader: SystemFile?
        var pendingSamples: Int { entries[taken...].reduce(0) { $0 + $1.samples } }
    }

    let directory: String
    let maxBytes: Int64
    let segmentBytes: Int64
    private(set) var segments: [Segment] = []
    private var writer: SystemFile?
    private var writerSequence: UInt64?
    private var nextSequence: UInt64 = 1
    private var cursor: SystemFile?
    /// Samples not yet handed to the sender.
    private(set) var pendingSamples = 0
    /// Bytes of the segment files.
    private(set) var bytes: Int64 = 0
    /// The largest `through` of any batch queued here (acknowledged ones
    /// included, through the cursor), read back at start-up.
    private(set) var restoredThrough: Int64?
    /// Bytes skipped as torn or damaged.
    private(set) var corruptBytes: Int64 = 0
    /// Samples of batches the limit dropped at start-up (it may have shrunk).
    private(set) var droppedAtOpen = 0
    private var inFlight: (sequence: UInt64, index: Int)?
    /// What happened that an operator should read (torn tails, damaged
    /// segments); the owner logs and clears them.
    var notes: [String] = []

    /// Opens (creating it if needed) the queue in `directory` and reads back
    /// what is in it.
    init(directory: String, maxBytes: Int64, segmentBytes: Int64? = nil) throws(PersistenceError) {
        self.directory = directory
        self.maxBytes = max(1, maxBytes)
        self.segmentBytes = segmentBytes ?? min(16 << 20, max(64 << 10, maxBytes / 8))
        try Self.createDirectory(directory)
        let sequences = try Self.segmentSequences(in: directory)
        let cursorState = Self.readCursor(directory + "/" + Self.cursorName)
        // An empty cursor: created, nothing acknowledged yet.
        let cursorSize = (try? FileManager.default.attributesOfItem(atPath: directory + "/" + Self.cursorName)[.size] as? Int) ?? 0
        if cursorState == nil && cursorSize > 0 {
            notes.append("\(Self.cursorName) is damaged: sending again from the oldest segment")
        }
        var through = cursorState?.through
        for sequence in sequences {
            nextSequence = max(nextSequence, sequence + 1)
            let name = Self.segmentName(sequence)
            if let cursorState, sequence < cursorState.sequence {
                remove(name)
                continue
            }
            guard var segment = load(sequence) else {
                remove(name)
                continue
            }
            if let cursorState, sequence == cursorState.sequence {
                segment.acked = segment.entries.prefix { $0.end <= cursorState.offset }.count
                segment.taken = segment.acked
            }
            for entry in segment.entries { through = max(through ?? .min, entry.through) }
            if segment.acked == segment.entries.count {
                remove(name)
                continue
            }
            pendingSamples += segment.pendingSamples
            bytes += segment.length
            segments.append(segment)
        }
        if let cursorState { nextSequence = max(nextSequence, cursorState.sequence + 1) }
        restoredThrough = through
        cursor = try SystemFile.open(directory + "/" + Self.cursorName, flags: O_RDWR | O_CREAT)
        droppedAtOpen = enforceLimit()
    }

    /// Reads segment `sequence` back; nil when it holds nothing usable.
    private mutating func load(_ sequence: UInt64) -> Segment? {
        let name = Self.segmentName(sequence)
        do throws(PersistenceError) {
            let file = try SystemFile.open(directory + "/" + name, flags: O_RDONLY)
            let size = try file.size
            guard size > 0 else { return nil }
            let header = try file.read(count: Self.headerBytes, at: 0)
            var headerReader = BinaryReader(header, offset: 4)
            guard header.count == Self.headerBytes, Array(header[0..<4]) == Self.magic,
                  (try? headerReader.uint32("version")) == Self.version
            else {
                notes.append("\(name) is not a queue segment this version reads: removed (\(size) bytes)")
                corruptBytes += size
                return nil
            }
            var segment = Segment(sequence: sequence, length: size, reader: file)
            var offset = Int64(Self.headerBytes)
            while offset < size {
                let read = try FramedRecord.read(file, at: offset, fileLength: size, lengths: QueuedBatch.headerBytes...Self.maxPayloadBytes)
                guard case .record(let payload, let next) = read, let batch = QueuedBatch(payload: payload) else {
                    let reason = if case .torn(let reason) = read { reason } else { "unknown record kind at byte \(offset)" }
                    notes.append("\(name): \(reason); the \(size - offset) bytes from there on are skipped")
                    corruptBytes += size - offset
                    break
                }
                segment.entries.append(Entry(offset: offset, end: next, samples: batch.samples, through: batch.through))
                offset = next
            }
            return segment.entries.isEmpty ? nil : segment
        } catch {
            notes.append("\(name) cannot be read: \(error); removed")
            return nil
        }
    }

    // MARK: Appending

    /// Appends `batch`; returns the samples of older batches dropped to stay
    /// within `maxBytes`. On failure (a full disk) nothing of it stays in the
    /// segment and the next append starts a new one.
    mutating func append(_ batch: QueuedBatch) throws(PersistenceError) -> Int {
        let payload = batch.payload()
        guard payload.count <= Self.maxPayloadBytes else {
            throw .system(operation: "queue", path: directory, errno: EFBIG)
        }
        if writer == nil || segments.last?.sequence != writerSequence || (segments.last?.length ?? 0) >= segmentBytes {
            try rotate()
        }
        guard let writer, var segment = segments.last else { throw .system(operation: "queue", path: directory, errno: EBADF) }
        let start = segment.length
        let record = FramedRecord.frame(payload)
        let bytesOut = start == 0 ? Self.header + record : record
        do {
            try writer.writeAll(bytesOut)
        } catch {
            // Cut a partial record off again; if even that fails, the segment
            // takes no more records (the reader would stop at the torn one).
            if (try? writer.truncate(to: start)) == nil { self.writer = nil }
            throw error
        }
        let offset = start == 0 ? Int64(Self.headerBytes) : start
        segment.length = start + Int64(bytesOut.count)
        segment.entries.append(Entry(offset: offset, end: segment.length, samples: batch.samples, through: batch.through))
        segments[segments.count - 1] = segment
        pendingSamples += batch.samples
        bytes += Int64(bytesOut.count)
        restoredThrough = max(restoredThrough ?? .min, batch.through)
        collectGarbage()
        return enforceLimit()
    }

    /// Closes the current segment (synced) and starts the next.
    private mutating func rotate() throws(PersistenceError) {
        if let writer { try? writer.syncData() }
        writer = nil
        writerSequence = nil
        collectGarbage()
        let sequence = nextSequence
        let file = try SystemFile.open(
            directory + "/" + Self.segmentName(sequence), flags: O_WRONLY | O_CREAT | O_TRUNC | O_APPEND)
        nextSequence += 1
        writer = file
        writerSequence = sequence
        segments.append(Segment(sequence: sequence, length: 0))
    }

    static var header: [UInt8] {
        var writer = BinaryWriter(capacity: headerBytes)
        writer.raw(magic)
        writer.uint32(version)
        return writer.drain()
    }

    /// Deletes the oldest segments while over `maxBytes`; returns the samples
    /// they still held.
    private mutating func enforceLimit() -> Int {
        var dropped = 0
        while bytes > maxBytes, let first = segments.first {
            let samples = first.pendingSamples
            dropped += samples
            pendingSamples -= samples
            bytes -= first.length
            if writerSequence == first.sequence {
                writer = nil
                writerSequence = nil
            }
            remove(Self.segmentName(first.sequence))
            segments.removeFirst()
        }
        return dropped
    }

    // MARK: Reading

    /// The oldest batch not yet handed out, or nil when there is none. A
    /// record that no longer reads back intact is skipped with the rest of
    /// its segment (noted, and counted in `corruptBytes`).
    mutating func next() -> QueuedBatch? {
        for i in segments.indices where segments[i].taken < segments[i].entries.count {
            let entry = segments[i].entries[segments[i].taken]
            let name = Self.segmentName(segments[i].sequence)
            do throws(PersistenceError) {
                if segments[i].reader == nil {
                    segments[i].reader = try SystemFile.open(directory + "/" + name, flags: O_RDONLY)
                }
                if let reader = segments[i].reader,
                   case .record(let payload, _) = try FramedRecord.read(
                       reader, at: entry.offset, fileLength: entry.end, lengths: QueuedBatch.headerBytes...Self.maxPayloadBytes),
                   let batch = QueuedBatch(payload: payload) {
                    inFlight = (segments[i].sequence, segments[i].taken)
                    segments[i].taken += 1
                    pendingSamples -= entry.samples
                    return batch
                }
                notes.append("\(name): record at byte \(entry.offset) no longer reads back intact; the rest of the segment is skipped")
            } catch {
                notes.append("\(name) cannot be read: \(error); the rest of the segment is skipped")
            }
            let skipped = segments[i].pendingSamples
            pendingSamples -= skipped
            corruptBytes += entry.end > entry.offset ? segments[i].length - entry.offset : 0
            segments[i].taken = segments[i].entries.count
            segments[i].acked = segments[i].entries.count
        }
        return nil
    }

    /// The batch last handed out was delivered (or refused for good): it
    /// will not be sent again, even after a restart.
    mutating func ack() {
        guard let flight = inFlight else { return }
        inFlight = nil
        guard let i = segments.firstIndex(where: { $0.sequence == flight.sequence }) else { return }  // dropped meanwhile
        segments[i].acked = max(segments[i].acked, flight.index + 1)
        let entry = segments[i].entries[flight.index]
        var writer = BinaryWriter(capacity: Self.cursorBytes)
        writer.raw(Self.cursorMagic)
        writer.uint64(flight.sequence)
        writer.int64(entry.end)
        writer.int64(entry.through)
        writer.uint32(CRC32.checksum(writer.bytes))
        let bytes = writer.drain()
        do {
            try cursor?.overwrite(bytes, at: 0)
        } catch {
            notes.append("cannot record the acknowledged position: \(error) (a restart sends some batches again)")
        }
        collectGarbage()
    }

    /// Whether a batch was handed out and not yet acknowledged.
    var hasInFlight: Bool { inFlight != nil }

    /// Deletes leading segments whose records are all acknowledged, unless
    /// records still go to them.
    private mutating func collectGarbage() {
        while let first = segments.first, first.acked == first.entries.count, first.taken == first.acked,
              first.sequence != writerSequence {
            bytes -= first.length
            remove(Self.segmentName(first.sequence))
            segments.removeFirst()
        }
    }

    // MARK: Files

    static func segmentName(_ sequence: UInt64) -> String {
        let digits = String(sequence)
        return prefix + String(repeating: "0", count: max(0, 16 - digits.count)) + digits + suffix
    }

    static func segmentSequences(in directory: String) throws(PersistenceError) -> [UInt64] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw .system(operation: "list", path: directory, errno: Self.errno(of: error))
        }
        return names.compactMap { name -> UInt64? in
            guard name.hasPrefix(prefix), name.hasSuffix(suffix) else { return nil }
            let digits = name.dropFirst(prefix.count).dropLast(suffix.count)
            guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
            return UInt64(digits)
        }.sorted()
    }

    static func createDirectory(_ path: String) throws(PersistenceError) {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw .system(operation: "create directory", path: path, errno: Self.errno(of: error))
        }
    }

    /// The POSIX error under a Foundation file error (EIO when there is none).
    static func errno(of error: any Error) -> Int32 {
        let underlying = (error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError
        if let underlying, underlying.domain == NSPOSIXErrorDomain { return Int32(underlying.code) }
        if (error as NSError).domain == NSPOSIXErrorDomain { return Int32((error as NSError).code) }
        return EIO
    }

    private func remove(_ name: String) {
        _ = unlink(directory + "/" + name)
    }

    /// The cursor, if present and intact.
    static func readCursor(_ path: String) -> (sequence: UInt64, offset: Int64, through: Int64)? {
        guard let file = try? SystemFile.open(path, flags: O_RDONLY),
              let bytes = try? file.read(count: cursorBytes, at: 0), bytes.count == cursorBytes,
              Array(bytes[0..<4]) == cursorMagic
        else { return nil }
        var reader = BinaryReader(bytes, offset: 4)
        guard let sequence = try? reader.uint64("segment"), let offset = try? reader.int64("offset"),
              let through = try? reader.int64("through"), let crc = try? reader.uint32("checksum"),
              CRC32.checksum(Array(bytes[0..<(cursorBytes - 4)])) == crc
        else { return nil }
        return (sequence, offset, through)
    }
}
