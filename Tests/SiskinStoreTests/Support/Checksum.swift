/// CRC-32 (IEEE), bitwise: lets tests damage a snapshot and re-seal it, so
/// the damage reaches the decoder instead of stopping at the checksum.
enum Checksum {
    static func crc32(_ bytes: some Sequence<UInt8>) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = (crc >> 1) ^ (0xEDB8_8320 & (0 &- (crc & 1))) }
        }
        return ~crc
    }

    /// `body` followed by its CRC-32, little-endian: a snapshot file.
    static func sealed(_ body: some Collection<UInt8>) -> [UInt8] {
        let crc = crc32(body)
        return Array(body) + (0..<4).map { UInt8(truncatingIfNeeded: crc >> (8 * UInt32($0))) }
    }
}
