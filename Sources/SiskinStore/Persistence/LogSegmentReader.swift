/// Reads a log segment back at start-up, record by record.
///
/// After `kill -9` (or a full disk) the last record may be cut short, so
/// reading stops at the first record that is short, oversized or fails its
/// checksum: everything before it is intact, nothing after it can be trusted
/// (records carry no sync marker to resume at). Memory stays at one record,
/// at most `PushLog.maxPayloadBytes`, whatever the file claims.
enum LogSegmentReader {
    struct Scan: Sendable, Equatable {
        enum Outcome: Sendable, Equatable {
            /// Every byte belonged to a complete record.
            case complete
            /// Reading stopped early; the bytes from `validLength` on are lost.
            case torn(reason: String)
            /// Not a segment this version can read (wrong magic or version):
            /// skipped and left as it is.
            case foreign(reason: String)
        }

        var outcome: Outcome
        /// Bytes up to the end of the last good record.
        var validLength: Int64
        var fileLength: Int64
        var records: Int

        var discardedBytes: Int64 { fileLength - validLength }
    }

    /// Calls `body` for every intact record in order (nil for an intact
    /// record of a kind this version does not know).
    static func read(_ file: SystemFile, _ body: (LogRecord?) -> Void) throws(PersistenceError) -> Scan {
        let size = try file.size
        var scan = Scan(outcome: .complete, validLength: 0, fileLength: size, records: 0)
        guard size > 0 else { return scan }
        guard size >= Int64(PushLog.headerBytes) else {
            scan.outcome = .torn(reason: "segment header cut short at \(size) bytes")
            return scan
        }
        let header = try file.read(count: PushLog.headerBytes, at: 0)
        guard header.count == PushLog.headerBytes, Array(header[0..<4]) == PushLog.magic else {
            scan.outcome = .foreign(reason: "not a siskin log segment")
            scan.validLength = size
            return scan
        }
        var headerReader = BinaryReader(header, offset: 4)
        let version = (try? headerReader.uint32("version")) ?? 0
        guard version == PushLog.version else {
            scan.outcome = .foreign(reason: "log format version \(version), this build reads \(PushLog.version)")
            scan.validLength = size
            return scan
        }

        var offset = Int64(PushLog.headerBytes)
        scan.validLength = offset
        while offset < size {
            let read = try FramedRecord.read(
                file, at: offset, fileLength: size, lengths: LogRecord.payloadHeaderBytes...PushLog.maxPayloadBytes)
            guard case .record(let payload, let next) = read else {
                if case .torn(let reason) = read { scan.outcome = .torn(reason: reason) }
                return scan
            }
            body(LogRecord(payload: payload))
            offset = next
            scan.validLength = offset
            scan.records += 1
        }
        return scan
    }
}
