/// Constants of Siskin's summary wire format, shared by encoder, decoder and
/// the HTTP layers that carry it. The full layout is in `docs/wire-format.md`.
public enum WireFormat {
    /// The layout version this module writes and the only one it reads. A
    /// decoder meeting any other version fails with
    /// `WireError.unsupportedVersion` instead of guessing.
    public static let version: UInt8 = 1

    /// Every version this decoder accepts (for content negotiation and error
    /// messages).
    public static let supportedVersions: [UInt8] = [1]

    /// First four bytes of every frame: ASCII `SISK`. Lets a receiver reject
    /// something that is not a summary (an HTML error page, a gzip body)
    /// before looking further.
    public static let magic: [UInt8] = [0x53, 0x49, 0x53, 0x4B]

    /// HTTP `Content-Type` of a pushed summary.
    public static let contentType = "application/x-siskin-summary"

    /// Path agents POST summaries to, appended to the aggregator's base URL.
    public static let ingestPath = "/api/v1/siskin/summaries"

    /// Size of the uncompressed frame header: magic (4), version (1),
    /// flags (1), payload length (4, little-endian).
    public static let headerSize = 10

    /// zlib window for payloads: the largest (32 KiB). Summaries are
    /// 10–100 KiB and a label set or bucket pattern recurs a whole family
    /// later; smaller windows measured up to 2 % larger on such payloads.
    public static let windowBits: Int32 = 15

    /// zlib memory level for payloads: zlib's default (8). Level 9 measured
    /// no smaller on summaries (sometimes 0.2 % larger) for twice the memory.
    public static let memLevel: Int32 = 8
}
