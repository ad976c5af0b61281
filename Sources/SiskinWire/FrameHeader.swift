/// The fixed, uncompressed start of every frame: what a receiver can check
/// (and an inspect tool can report) before inflating anything.
///
/// | offset | size | field |
/// |---|---|---|
/// | 0 | 4 | magic `SISK` |
/// | 4 | 1 | version |
/// | 5 | 1 | flags (bit 0: payload is a zlib stream) |
/// | 6 | 4 | payload length before compression, UInt32 little-endian |
public struct FrameHeader: Sendable, Hashable {
    /// Flag bit 0: the payload is zlib-compressed (RFC 1950).
    public static let compressedFlag: UInt8 = 0x01
    /// Flag bits a v1 decoder understands; any other set bit is rejected.
    public static let knownFlags: UInt8 = compressedFlag

    public var version: UInt8
    public var flags: UInt8
    /// Length of the payload once inflated (or as is, when not compressed).
    public var uncompressedLength: Int

    /// Whether the payload after the header is a zlib stream.
    public var isCompressed: Bool { flags & FrameHeader.compressedFlag != 0 }

    public init(version: UInt8 = WireFormat.version, isCompressed: Bool, uncompressedLength: Int) {
        self.version = version
        self.flags = isCompressed ? FrameHeader.compressedFlag : 0
        self.uncompressedLength = uncompressedLength
    }

    /// Parses and validates the header at the start of `bytes` (magic,
    /// version, flags); the payload itself is not looked at.
    public init(parsing bytes: UnsafeRawBufferPointer) throws(WireError) {
        guard bytes.count >= WireFormat.headerSize else {
            throw .truncatedHeader(length: bytes.count)
        }
        let magic = Array(bytes[0..<4])
        guard magic == WireFormat.magic else { throw .badMagic(found: magic) }
        let version = bytes[4]
        guard WireFormat.supportedVersions.contains(version) else {
            throw .unsupportedVersion(found: version, supported: WireFormat.supportedVersions)
        }
        let flags = bytes[5]
        guard flags & ~FrameHeader.knownFlags == 0 else { throw .unknownFlags(flags) }
        let length = UInt32(bytes[6]) | UInt32(bytes[7]) << 8 | UInt32(bytes[8]) << 16 | UInt32(bytes[9]) << 24
        self.version = version
        self.flags = flags
        self.uncompressedLength = Int(length)
    }

    /// Parses and validates the header at the start of `bytes`.
    public init(parsing bytes: [UInt8]) throws(WireError) {
        var result: Result<FrameHeader, WireError> = .failure(.truncatedHeader(length: 0))
        bytes.withUnsafeBytes { raw in
            result = Result { () throws(WireError) in try FrameHeader(parsing: raw) }
        }
        self = try result.get()
    }

    /// The ten header bytes.
    public var bytes: [UInt8] {
        let length = UInt32(truncatingIfNeeded: uncompressedLength)
        return WireFormat.magic + [
            version, flags,
            UInt8(truncatingIfNeeded: length), UInt8(truncatingIfNeeded: length >> 8),
            UInt8(truncatingIfNeeded: length >> 16), UInt8(truncatingIfNeeded: length >> 24),
        ]
    }
}
