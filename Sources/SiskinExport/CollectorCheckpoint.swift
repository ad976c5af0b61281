import SiskinAggregation
import SiskinIngest
import SiskinStore

/// The collector's running totals on disk, so that after a restart of
/// `siskin serve` the exported counters continue upward instead of starting
/// again from 0 (`rate()` and `increase()` on the receiver see no reset and
/// lose nothing across the restart).
///
/// ```
/// "SKRT", u32 LE version 1, i64 LE slot width (ms), zigzag last slot
/// (Int64.min: none), varint entries, each:
///   bool rollup, string name, varint labels × (string, string),
///   u8 kind, varint bounds × f64, varint values × f64, zigzag last seen
/// u32 LE CRC-32 of everything before it
/// ```
///
/// The totals are those through `lastSlot`. After a restart the collector
/// continues from there: the slots since are read again from the store
/// (restored from its own snapshot and push log), which brings the totals to
/// where they were and on; `suppressThrough` (the newest batch already on
/// disk) keeps samples already queued from being queued twice.
extension CumulativeCollector {
    static let checkpointMagic: [UInt8] = Array("SKRT".utf8)
    static let checkpointVersion: UInt32 = 1

    public struct CheckpointError: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// The totals, encoded.
    public func checkpoint(slotMilliseconds: Int64) -> [UInt8] {
        var writer = BinaryWriter(capacity: 64 + (totals.count + restored.count) * 256)
        writer.raw(Self.checkpointMagic)
        writer.uint32(Self.checkpointVersion)
        writer.int64(slotMilliseconds)
        writer.zigzag(lastSlot ?? .min)
        writer.varint(totals.count + restored.count)
        func entry(_ rollup: Bool, _ entry: Entry) {
            writer.bool(rollup)
            writer.string(entry.key.name)
            writer.varint(entry.key.labels.count)
            for label in entry.key.labels {
                writer.string(label.name)
                writer.string(label.value)
            }
            writer.byte(entry.kind.rawValue)
            writer.varint(entry.bounds.count)
            for bound in entry.bounds { writer.double(bound) }
            writer.varint(entry.values.count)
            for value in entry.values { writer.double(value) }
            writer.zigzag(entry.lastSeen)
        }
        for (target, value) in totals { entry(target.rollup, value) }
        for (identity, value) in restored { entry(identity.rollup, value) }
        writer.uint32(CRC32.checksum(writer.bytes))
        return writer.drain()
    }

    /// Continues from a checkpoint written by `checkpoint(slotMilliseconds:)`
    /// with the same slot width. Throws (and changes nothing) when it is
    /// damaged or was written for another slot width.
    public mutating func restore(_ bytes: [UInt8], slotMilliseconds: Int64) throws(CheckpointError) {
        guard bytes.count >= 8 + 4 else { throw CheckpointError(description: "\(bytes.count) bytes: too short") }
        var trailer = BinaryReader(bytes, offset: bytes.count - 4)
        let stored = (try? trailer.uint32("checksum")) ?? 0
        let computed = bytes.withUnsafeBytes { CRC32.checksum(UnsafeRawBufferPointer(rebasing: $0[..<(bytes.count - 4)])) }
        guard stored == computed else { throw CheckpointError(description: "checksum mismatch") }
        guard Array(bytes[0..<4]) == Self.checkpointMagic else { throw CheckpointError(description: "not a totals checkpoint") }
        var reader = BinaryReader(bytes, offset: 4)
        reader.end = bytes.count - 4
        do {
            let version = try reader.uint32("version")
            guard version == Self.checkpointVersion else {
                throw CheckpointError(description: "version \(version), this build reads \(Self.checkpointVersion)")
            }
            let width = try reader.int64("slot width")
            guard width == slotMilliseconds else {
                throw CheckpointError(description: "written with \(width) ms slots, the store has \(slotMilliseconds) ms")
            }
            let last = try reader.zigzag("last slot")
            let count = try reader.count("entries", minimumBytes: 6)
            var entries: [Identity: Entry] = [:]
            entries.reserveCapacity(count)
            for _ in 0..<count {
                let rollup = try reader.bool("rollup")
                let name = try reader.string("name")
                var labels: [Label] = []
                for _ in 0..<(try reader.count("labels", minimumBytes: 2)) {
                    labels.append(Label(try reader.string("label name"), try reader.string("label value")))
                }
                let kindByte = try reader.byte("kind")
                guard let kind = MetricKind(rawValue: kindByte) else { throw reader.failure("unknown kind \(kindByte)") }
                var bounds: [Double] = []
                for _ in 0..<(try reader.count("bounds", minimumBytes: 8)) { bounds.append(try reader.double("bound")) }
                var values: [Double] = []
                for _ in 0..<(try reader.count("values", minimumBytes: 8)) { values.append(try reader.double("value")) }
                let lastSeen = try reader.zigzag("last seen")
                let key = SeriesKey(name: name, labels: labels)
                entries[Identity(rollup: rollup, key: key)] = Entry(
                    key: key, kind: kind, bounds: bounds, values: values, lastSeen: lastSeen,
                    labelSets: Self.labelSets(key, kind: kind, bounds: bounds, externalLabels: externalLabels))
            }
            guard reader.isAtEnd else { throw reader.failure("trailing bytes") }
            totals = [:]
            restored = entries
            lastSlot = last == .min ? nil : last
        } catch let error as CheckpointError {
            throw error
        } catch {
            throw CheckpointError(description: "\(error)")
        }
    }
}
