/// The few protobuf encodings remote write needs, written by hand: varints,
/// length-delimited fields (strings, embedded messages), doubles (fixed64)
/// and int64 varints. See https://protobuf.dev/programming-guides/encoding/.
///
/// Embedded messages are written in place: their length is known only once
/// they are written, so the writer reserves no room and instead computes the
/// size first (`RemoteWriteEncoder` sizes every message before writing it).
public struct ProtobufWriter: Sendable {
    public private(set) var bytes: [UInt8] = []

    public init(capacity: Int = 0) {
        bytes.reserveCapacity(capacity)
    }

    /// Wire types (the low three bits of a field's key).
    public enum WireType: UInt8, Sendable {
        case varint = 0
        case fixed64 = 1
        case lengthDelimited = 2
    }

    public mutating func varint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    public mutating func key(_ field: Int, _ type: WireType) {
        varint(UInt64(field) << 3 | UInt64(type.rawValue))
    }

    /// `string` field; proto3 omits empty strings (default values).
    public mutating func string(_ field: Int, _ value: String) {
        let utf8 = value.utf8
        guard !utf8.isEmpty else { return }
        key(field, .lengthDelimited)
        varint(UInt64(utf8.count))
        bytes.append(contentsOf: utf8)
    }

    /// `double` field; proto3 omits 0 (positive zero only: -0 has other bits).
    public mutating func double(_ field: Int, _ value: Double) {
        guard value.bitPattern != 0 else { return }
        key(field, .fixed64)
        var bits = value.bitPattern
        for _ in 0..<8 {
            bytes.append(UInt8(truncatingIfNeeded: bits))
            bits >>= 8
        }
    }

    /// `int64` field: two's complement as a 64-bit varint; omitted when 0.
    public mutating func int64(_ field: Int, _ value: Int64) {
        guard value != 0 else { return }
        key(field, .varint)
        varint(UInt64(bitPattern: value))
    }

    /// The key and length of an embedded message of `length` bytes; its
    /// fields follow.
    public mutating func messageHeader(_ field: Int, length: Int) {
        key(field, .lengthDelimited)
        varint(UInt64(length))
    }

    // MARK: Sizes

    public static func varintSize(_ value: UInt64) -> Int {
        var n = 1
        var v = value >> 7
        while v != 0 {
            n += 1
            v >>= 7
        }
        return n
    }

    public static func keySize(_ field: Int) -> Int { varintSize(UInt64(field) << 3) }

    public static func stringSize(_ field: Int, _ value: String) -> Int {
        let n = value.utf8.count
        return n == 0 ? 0 : keySize(field) + varintSize(UInt64(n)) + n
    }

    public static func doubleSize(_ field: Int, _ value: Double) -> Int {
        value.bitPattern == 0 ? 0 : keySize(field) + 8
    }

    public static func int64Size(_ field: Int, _ value: Int64) -> Int {
        value == 0 ? 0 : keySize(field) + varintSize(UInt64(bitPattern: value))
    }

    /// Bytes an embedded message of `length` bytes takes, key included.
    public static func messageSize(_ field: Int, length: Int) -> Int {
        keySize(field) + varintSize(UInt64(length)) + length
    }
}
