/// The CRC framing of an append-only record file, shared by the push log
/// and the remote-write queue: `[u32 LE payload length][u32 LE CRC-32 of
/// payload][payload]`.
///
/// A torn write (`kill -9`, full disk) or a flipped bit shows up as a short
/// record, a length out of range or a checksum mismatch, so a reader stops
/// at the first bad record instead of trusting what follows.
public enum FramedRecord {
    /// Length and checksum before each payload.
    public static let framingBytes = 8

    /// `payload` with its framing in front.
    public static func frame(_ payload: [UInt8]) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: framingBytes)
        bytes.reserveCapacity(framingBytes + payload.count)
        bytes.append(contentsOf: payload)
        fillFraming(&bytes)
        return bytes
    }

    /// Fills in the framing of `bytes`, whose first `framingBytes` were left
    /// for it and whose payload follows (saves a copy of a large payload).
    public static func fillFraming(_ bytes: inout [UInt8]) {
        precondition(bytes.count >= framingBytes, "no room for the framing")
        let length = UInt32(truncatingIfNeeded: bytes.count - framingBytes)
        let crc = bytes.withUnsafeBytes { CRC32.checksum(UnsafeRawBufferPointer(rebasing: $0[framingBytes...])) }
        for i in 0..<4 {
            bytes[i] = UInt8(truncatingIfNeeded: length >> (8 * UInt32(i)))
            bytes[4 + i] = UInt8(truncatingIfNeeded: crc >> (8 * UInt32(i)))
        }
    }

    /// One record read back.
    public enum Read: Sendable, Equatable {
        /// An intact payload; the next record starts at `next`.
        case record(payload: [UInt8], next: Int64)
        /// Nothing usable at this offset, and nothing after it can be trusted.
        case torn(reason: String)
    }

    /// Reads the record at `offset` of a file of `fileLength` bytes. The
    /// length field is checked against `lengths` and against the bytes left
    /// before anything is allocated, so a damaged length cannot make the
    /// reader allocate more than `lengths.upperBound`.
    public static func read(
        _ file: SystemFile, at offset: Int64, fileLength size: Int64, lengths: ClosedRange<Int>
    ) throws(PersistenceError) -> Read {
        guard size - offset >= Int64(framingBytes) else { return .torn(reason: "record header cut short at byte \(offset)") }
        var framing = BinaryReader(try file.read(count: framingBytes, at: offset))
        guard let length = try? framing.uint32("length"), let crc = try? framing.uint32("checksum") else {
            return .torn(reason: "record header unreadable at byte \(offset)")
        }
        guard lengths.contains(Int(length)) else { return .torn(reason: "record length \(length) out of range at byte \(offset)") }
        let payloadStart = offset + Int64(framingBytes)
        guard Int64(length) <= size - payloadStart else { return .torn(reason: "record of \(length) bytes cut short at byte \(offset)") }
        let payload = try file.read(count: Int(length), at: payloadStart)
        guard payload.count == Int(length) else { return .torn(reason: "record of \(length) bytes cut short at byte \(offset)") }
        guard CRC32.checksum(payload) == crc else { return .torn(reason: "record checksum mismatch at byte \(offset)") }
        return .record(payload: payload, next: payloadStart + Int64(length))
    }
}
