import SiskinAggregation

/// Why a summary could not be encoded or decoded.
///
/// Decoding errors say what was being read and where: `offset` is a byte
/// offset into the payload (the bytes after the 10-byte frame header, after
/// inflating when the frame is compressed), so a bad frame can be located with
/// `siskin inspect` and a hex dump of the inflated payload.
public enum WireError: Error, Sendable, Hashable, CustomStringConvertible {
    // MARK: Frame

    /// Fewer bytes than the 10-byte frame header.
    case truncatedHeader(length: Int)
    /// The first four bytes are not `SISK`: not a Siskin summary.
    case badMagic(found: [UInt8])
    /// A version this decoder does not implement (for example a v2 frame).
    case unsupportedVersion(found: UInt8, supported: [UInt8])
    /// Flag bits that v1 does not define are set.
    case unknownFlags(UInt8)
    /// The whole frame is larger than `DecodingLimits.maxCompressedBytes`.
    case compressedSizeLimitExceeded(size: Int, limit: Int)
    /// The header declares a payload larger than
    /// `DecodingLimits.maxDecompressedBytes`.
    case decompressedSizeLimitExceeded(declared: Int, limit: Int)
    /// The payload inflates to more bytes than the header declares (a zip
    /// bomb, or a lying header); inflating stopped there.
    case payloadExceedsDeclaredLength(declared: Int)
    /// The payload is shorter than the header declares.
    case payloadLengthMismatch(declared: Int, actual: Int)
    /// The zlib stream is corrupt, truncated or followed by garbage.
    case decompressionFailed(ZlibError)

    // MARK: Payload

    /// The payload ended in the middle of `field`.
    case truncated(field: String, offset: Int)
    /// A varint longer than needed (trailing zero groups) or wider than 64 bits.
    case malformedVarint(field: String, offset: Int)
    /// A count read from the input is above its `DecodingLimits` bound.
    case limitExceeded(field: String, count: UInt64, limit: Int, offset: Int)
    /// A count read from the input needs more bytes than are left.
    case countExceedsInput(field: String, count: UInt64, remainingBytes: Int, offset: Int)
    /// A reference into the string dictionary, label-set or bound-set table
    /// is past its end.
    case indexOutOfRange(field: String, index: UInt64, tableSize: Int, offset: Int)
    /// A dictionary string is not valid UTF-8.
    case invalidUTF8(stringIndex: Int, offset: Int)
    /// An unknown tag byte (value encoding, bucket encoding or metric kind).
    case invalidTag(field: String, tag: UInt8, offset: Int)
    /// A value that is well-formed but breaks an invariant of the model
    /// (bounds not finite and ascending, bucket deltas overflowing 64 bits).
    case invalidValue(field: String, reason: String, offset: Int)
    /// Bytes left over after the last family.
    case trailingBytes(count: Int, offset: Int)

    // MARK: Encoding

    /// A series whose value does not match its family's kind.
    case kindMismatch(family: String, series: Int, expected: MetricKind)
    /// A histogram whose bounds are not finite and strictly ascending, or
    /// whose bucket count is not bounds + 1.
    case invalidHistogram(family: String, series: Int, reason: String)
    /// The payload would not fit the header's 32-bit length field.
    case payloadTooLarge(size: Int)
    /// zlib refused to compress (out of memory).
    case compressionFailed(ZlibError)

    public var description: String {
        switch self {
        case .truncatedHeader(let length):
            return "frame too short: \(length) bytes, the header alone is \(WireFormat.headerSize)"
        case .badMagic(let found):
            let hex = found.map { byte in
                let digits = String(byte, radix: 16)
                return digits.count == 1 ? "0" + digits : digits
            }.joined(separator: " ")
            return "not a Siskin summary: magic bytes are \(hex), expected 53 49 53 4b (\"SISK\") at byte 0"
        case .unsupportedVersion(let found, let supported):
            return "unsupported wire format version \(found) at byte 4; this decoder reads version(s) \(supported.map(String.init).joined(separator: ", "))"
        case .unknownFlags(let flags):
            return "unknown flag bits 0x\(String(flags, radix: 16)) at byte 5"
        case .compressedSizeLimitExceeded(let size, let limit):
            return "frame is \(size) bytes, above the limit of \(limit)"
        case .decompressedSizeLimitExceeded(let declared, let limit):
            return "header declares a \(declared)-byte payload (byte 6), above the limit of \(limit)"
        case .payloadExceedsDeclaredLength(let declared):
            return "payload inflates past its declared length of \(declared) bytes; inflating stopped"
        case .payloadLengthMismatch(let declared, let actual):
            return "payload is \(actual) bytes but the header declares \(declared)"
        case .decompressionFailed(let error):
            return "cannot inflate payload (starting at byte \(WireFormat.headerSize)): \(error)"
        case .truncated(let field, let offset):
            return "payload ends inside \(field) at payload offset \(offset)"
        case .malformedVarint(let field, let offset):
            return "overlong or overflowing varint in \(field) at payload offset \(offset)"
        case .limitExceeded(let field, let count, let limit, let offset):
            return "\(field) is \(count), above the limit of \(limit), at payload offset \(offset)"
        case .countExceedsInput(let field, let count, let remaining, let offset):
            return "\(field) is \(count) but only \(remaining) bytes remain, at payload offset \(offset)"
        case .indexOutOfRange(let field, let index, let size, let offset):
            return "\(field) \(index) is out of range (table has \(size) entries) at payload offset \(offset)"
        case .invalidUTF8(let index, let offset):
            return "dictionary string \(index) is not valid UTF-8, at payload offset \(offset)"
        case .invalidTag(let field, let tag, let offset):
            return "unknown \(field) tag \(tag) at payload offset \(offset)"
        case .invalidValue(let field, let reason, let offset):
            return "invalid \(field): \(reason), at payload offset \(offset)"
        case .trailingBytes(let count, let offset):
            return "\(count) trailing bytes after the last family, at payload offset \(offset)"
        case .kindMismatch(let family, let series, let expected):
            return "family \(family) series \(series): value is not a \(expected)"
        case .invalidHistogram(let family, let series, let reason):
            return "family \(family) series \(series): invalid histogram: \(reason)"
        case .payloadTooLarge(let size):
            return "payload of \(size) bytes does not fit the 32-bit length field"
        case .compressionFailed(let error):
            return "cannot compress payload: \(error)"
        }
    }
}
