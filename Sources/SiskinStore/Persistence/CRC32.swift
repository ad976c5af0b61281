import CZlib

/// CRC-32 (IEEE 802.3, zlib's `crc32`) over log records and snapshots: a
/// torn or bit-flipped record fails its checksum instead of being replayed.
///
/// zlib's implementation is table-driven and already linked for the wire
/// format, so there is no second copy to maintain.
public struct CRC32: Sendable {
    public private(set) var value: UInt32 = 0

    public init() {}

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard var base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return }
        var left = bytes.count
        var crc = uLong(value)
        // zlib takes a 32-bit length; feed larger buffers in pieces.
        while left > 0 {
            let chunk = min(left, 1 << 30)
            crc = crc32(crc, base, uInt(chunk))
            base += chunk
            left -= chunk
        }
        value = UInt32(truncatingIfNeeded: crc)
    }

    public static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        var crc = CRC32()
        crc.update(bytes)
        return crc.value
    }

    public static func checksum(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBytes { checksum($0) }
    }
}
