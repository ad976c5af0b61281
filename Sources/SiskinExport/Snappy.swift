import CSnappy

/// Snappy block format (not the framed stream format), as remote write
/// requires: libsnappy's C binding.
public enum Snappy {
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    public static func compress(_ input: [UInt8]) -> [UInt8] {
        var length = snappy_max_compressed_length(input.count)
        var output = [UInt8](repeating: 0, count: length)
        let status = transform(input, into: &output) { snappy_compress($0, $1, $2, &length) }
        // Compression cannot fail with a buffer of snappy_max_compressed_length.
        precondition(status == SNAPPY_OK, "snappy_compress failed")
        output.removeSubrange(length...)
        return output
    }

    /// Decompresses a block, refusing anything that would inflate past `limit`.
    public static func uncompress(_ input: [UInt8], limit: Int = 64 << 20) throws(Failure) -> [UInt8] {
        var length = 0
        let sized = input.withUnsafeBufferPointer { source in
            source.withMemoryRebound(to: CChar.self) { snappy_uncompressed_length($0.baseAddress, $0.count, &length) }
        }
        guard sized == SNAPPY_OK else { throw Failure(description: "not a snappy block") }
        guard length <= limit else { throw Failure(description: "snappy block inflates to \(length) bytes, above \(limit)") }
        if length == 0 { return [] }
        var output = [UInt8](repeating: 0, count: length)
        let status = transform(input, into: &output) { snappy_uncompress($0, $1, $2, &length) }
        guard status == SNAPPY_OK else { throw Failure(description: "corrupt snappy block") }
        return output
    }

    /// Calls `body(source, sourceLength, target)` with both buffers as C chars.
    private static func transform(
        _ input: [UInt8], into output: inout [UInt8],
        _ body: (UnsafePointer<CChar>?, Int, UnsafeMutablePointer<CChar>?) -> snappy_status
    ) -> snappy_status {
        input.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer { target in
                source.withMemoryRebound(to: CChar.self) { source in
                    target.withMemoryRebound(to: CChar.self) { target in
                        body(source.baseAddress, source.count, target.baseAddress)
                    }
                }
            }
        }
    }
}
