/// One encoded frame, ready to push, with the size before compression so
/// tools and self-telemetry can report the compression ratio.
public struct EncodedSummary: Sendable, Hashable {
    /// The complete frame: 10-byte header, then the (compressed) payload.
    public var bytes: [UInt8]
    /// Payload size before compression, header excluded.
    public var uncompressedSize: Int

    public init(bytes: [UInt8], uncompressedSize: Int) {
        self.bytes = bytes
        self.uncompressedSize = uncompressedSize
    }

    /// Size on the wire, header included.
    public var compressedSize: Int { bytes.count }
}
