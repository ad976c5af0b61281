/// Why `Zlib.deflate` or `Zlib.inflate` failed.
public enum ZlibError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Inflating would produce more than `maxOutput` bytes; it stopped there.
    case outputLimitExceeded(limit: Int)
    /// The input ended before the end of the compressed stream.
    case truncated(consumed: Int)
    /// zlib rejected the data (bad header, bad block, checksum mismatch);
    /// `offset` is how far into the input zlib had read.
    case corrupt(offset: Int, message: String)
    /// Bytes follow the end of the compressed stream.
    case trailingBytes(offset: Int, count: Int)
    /// zlib failed for another reason (initialisation, out of memory).
    case library(code: Int32, message: String)

    public var description: String {
        switch self {
        case .outputLimitExceeded(let limit):
            return "inflated data exceeds \(limit) bytes"
        case .truncated(let consumed):
            return "compressed stream ends early, after \(consumed) bytes"
        case .corrupt(let offset, let message):
            return "corrupt compressed stream near byte \(offset): \(message)"
        case .trailingBytes(let offset, let count):
            return "\(count) bytes after the end of the compressed stream at byte \(offset)"
        case .library(let code, let message):
            return "zlib error \(code): \(message)"
        }
    }
}
