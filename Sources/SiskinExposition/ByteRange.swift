/// A half-open range of byte offsets into the body being parsed.
///
/// The parser hands out ranges rather than `String`s so that a scrape of
/// several megabytes is walked without allocating per line.
public struct ByteRange: Sendable, Hashable {
    public var start: Int
    public var end: Int

    @inlinable
    public init(_ start: Int, _ end: Int) {
        self.start = start
        self.end = end
    }

    public static let empty = ByteRange(0, 0)

    @inlinable public var count: Int { end - start }
    @inlinable public var isEmpty: Bool { end <= start }
}

extension UnsafeRawBufferPointer {
    /// The bytes of `range` as a buffer (no copy).
    @inlinable
    public subscript(range range: ByteRange) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: self[range.start..<range.end])
    }

    /// The bytes of `range` decoded as UTF-8 (lossy), for the cold paths.
    public func string(_ range: ByteRange) -> String {
        String(decoding: self[range: range], as: UTF8.self)
    }
}
