/// Little-endian output buffer for snapshots and log records.
///
/// SiskinWire's writer is internal to the wire format (and tuned for it);
/// persistence needs a few more primitives and a way to hand bytes to a file
/// in pieces, so a large snapshot never sits in memory twice.
public struct BinaryWriter: Sendable {
    public private(set) var bytes: [UInt8] = []

    public init(capacity: Int = 0) {
        bytes.reserveCapacity(capacity)
    }

    public var count: Int { bytes.count }

    /// Hands over the bytes written so far and starts empty again (keeping
    /// the capacity).
    public mutating func drain() -> [UInt8] {
        let out = bytes
        bytes.removeAll(keepingCapacity: true)
        return out
    }

    public mutating func byte(_ value: UInt8) {
        bytes.append(value)
    }

    public mutating func bool(_ value: Bool) {
        bytes.append(value ? 1 : 0)
    }

    public mutating func uint32(_ value: UInt32) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    public mutating func uint64(_ value: UInt64) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    public mutating func int64(_ value: Int64) {
        uint64(UInt64(bitPattern: value))
    }

    /// Unsigned LEB128, 1–10 bytes.
    public mutating func varint(_ value: UInt64) {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(truncatingIfNeeded: value))
    }

    /// A count or index (never negative).
    public mutating func varint(_ value: Int) {
        precondition(value >= 0, "negative count")
        varint(UInt64(value))
    }

    /// Zigzag (0, -1, 1, -2 … → 0, 1, 2, 3 …) then LEB128: for ids that may
    /// be -1 and times that may be `Int64.min`.
    public mutating func zigzag(_ value: Int64) {
        varint(UInt64(bitPattern: (value << 1) ^ (value >> 63)))
    }

    public mutating func zigzag(_ value: Int) {
        zigzag(Int64(value))
    }

    /// IEEE-754 binary64, bit for bit.
    public mutating func double(_ value: Double) {
        uint64(value.bitPattern)
    }

    /// `double(_:)` for each value, appended in one piece.
    public mutating func doubles(_ values: [Double]) {
        #if _endian(little)
        values.withUnsafeBytes { bytes.append(contentsOf: $0) }
        #else
        for value in values { double(value) }
        #endif
    }

    public mutating func raw(_ source: some Collection<UInt8>) {
        bytes.append(contentsOf: source)
    }

    /// Length-prefixed UTF-8.
    public mutating func string(_ value: String) {
        var value = value
        value.withUTF8 { utf8 in
            varint(utf8.count)
            bytes.append(contentsOf: utf8)
        }
    }
}
