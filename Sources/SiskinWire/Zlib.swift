import CZlib

/// Minimal one-shot zlib wrapper: what the summary frame needs, and what the
/// agent needs for `Content-Encoding: gzip` bodies, with a hard cap on
/// inflated size so hostile input costs bounded memory.
public enum Zlib {
    /// Stream framing, which zlib selects through `windowBits`.
    public enum Format: Sendable, Hashable {
        /// RFC 1950: 2-byte header, Adler-32 trailer. Used by summary frames.
        case zlib
        /// RFC 1952: gzip member, CRC-32 trailer (HTTP `gzip` encoding).
        case gzip
        /// RFC 1951: bare deflate, no header or checksum.
        case raw
        /// Inflate only: zlib or gzip, detected from the header.
        case automatic

        /// The `windowBits` argument zlib expects for this framing.
        func windowBits(_ bits: Int32) -> Int32 {
            switch self {
            case .zlib: return bits
            case .gzip: return bits + 16
            case .raw: return -bits
            case .automatic: return bits + 32
            }
        }
    }

    /// The largest chunk handed to zlib at once (its counters are 32-bit).
    private static let maxChunk = Int(UInt32.max)

    /// Compresses `input` in one call.
    ///
    /// - Parameters:
    ///   - level: 0 (store) … 9 (smallest); -1 is zlib's default (6).
    ///   - format: `.zlib`, `.gzip` or `.raw` (`.automatic` is for inflating).
    ///   - windowBits: 9…15, log2 of the history window; 15 compresses best.
    ///   - memLevel: 1…9, memory for the match finder; zlib's default 8 is as
    ///     good as 9 on summaries.
    public static func deflate(
        _ input: UnsafeRawBufferPointer, level: Int32 = -1, format: Format = .zlib,
        windowBits: Int32 = 15, memLevel: Int32 = 8
    ) throws(ZlibError) -> [UInt8] {
        try deflate(input, after: [], level: level, format: format, windowBits: windowBits, memLevel: memLevel)
    }

    /// Compresses `input` in one call.
    public static func deflate(
        _ input: [UInt8], level: Int32 = -1, format: Format = .zlib,
        windowBits: Int32 = 15, memLevel: Int32 = 8
    ) throws(ZlibError) -> [UInt8] {
        var result: Result<[UInt8], ZlibError> = .success([])
        input.withUnsafeBytes { raw in
            result = Result { () throws(ZlibError) in
                try deflate(raw, after: [], level: level, format: format, windowBits: windowBits, memLevel: memLevel)
            }
        }
        return try result.get()
    }

    /// Compresses `input` into a new array that starts with `prefix`, so a
    /// caller can put a header in front without copying the stream again.
    static func deflate(
        _ input: UnsafeRawBufferPointer, after prefix: [UInt8], level: Int32, format: Format,
        windowBits: Int32, memLevel: Int32
    ) throws(ZlibError) -> [UInt8] {
        precondition(format != .automatic, "automatic detection applies to inflating only")
        precondition((9...15).contains(windowBits), "windowBits must be 9...15")
        var stream = z_stream()
        let initCode = siskin_deflateInit2(&stream, level, format.windowBits(windowBits), memLevel)
        guard initCode == Z_OK else { throw .library(code: initCode, message: "deflateInit2 failed") }
        defer { deflateEnd(&stream) }

        // deflateBound is exact for one Z_FINISH call: a single allocation.
        let bound = Int(deflateBound(&stream, uLong(input.count)))
        let inBase = input.baseAddress.map { UnsafeMutablePointer(mutating: $0.assumingMemoryBound(to: UInt8.self)) }
        var failure: ZlibError?
        let output = [UInt8](unsafeUninitializedCapacity: prefix.count + bound) { buffer, count in
            _ = buffer.initialize(fromContentsOf: prefix)
            let outBase = buffer.baseAddress! + prefix.count
            var written = 0
            var consumed = 0
            while true {
                let inChunk = min(input.count - consumed, maxChunk)
                let outChunk = min(bound - written, maxChunk)
                stream.next_in = inBase.map { $0 + consumed }
                stream.avail_in = uInt(inChunk)
                stream.next_out = outBase + written
                stream.avail_out = uInt(outChunk)
                let flush = consumed + inChunk == input.count ? Z_FINISH : Z_NO_FLUSH
                let code = CZlib.deflate(&stream, flush)
                consumed += inChunk - Int(stream.avail_in)
                written += outChunk - Int(stream.avail_out)
                if code == Z_STREAM_END { break }
                if code != Z_OK && code != Z_BUF_ERROR {
                    failure = .library(code: code, message: message(stream))
                    break
                }
                if written == bound {
                    failure = .library(code: Z_BUF_ERROR, message: "output exceeds deflateBound")
                    break
                }
            }
            count = prefix.count + written
        }
        if let failure { throw failure }
        return output
    }

    /// Inflates `input`, which must be exactly one complete stream.
    ///
    /// Stops with `.outputLimitExceeded` as soon as the output would pass
    /// `maxOutput` bytes, so memory stays bounded whatever the input claims.
    /// - Parameter sizeHint: expected output size, to allocate once.
    public static func inflate(
        _ input: UnsafeRawBufferPointer, format: Format = .zlib, maxOutput: Int, sizeHint: Int? = nil
    ) throws(ZlibError) -> [UInt8] {
        precondition(maxOutput >= 0, "maxOutput must not be negative")
        var stream = z_stream()
        let initCode = siskin_inflateInit2(&stream, format.windowBits(15))
        guard initCode == Z_OK else { throw .library(code: initCode, message: "inflateInit2 failed") }
        defer { inflateEnd(&stream) }

        // One byte more than allowed, so that overflowing is observable.
        let hardCap = maxOutput == Int.max ? Int.max : maxOutput + 1
        let guess = sizeHint ?? (input.count > Int.max / 4 ? maxOutput : input.count * 4)
        let initial = min(hardCap, max(guess >= maxOutput ? hardCap : guess + 1, 4096))
        var output = [UInt8](repeating: 0, count: initial)
        var written = 0
        var consumed = 0
        let inBase = input.baseAddress.map { UnsafeMutablePointer(mutating: $0.assumingMemoryBound(to: UInt8.self)) }

        while true {
            if written == output.count {
                if output.count >= hardCap { throw .outputLimitExceeded(limit: maxOutput) }
                let grown = output.count > hardCap / 2 ? hardCap : output.count * 2
                output.append(contentsOf: repeatElement(0, count: grown - output.count))
            }
            let inChunk = min(input.count - consumed, maxChunk)
            let outChunk = min(output.count - written, maxChunk)
            let code: Int32 = output.withUnsafeMutableBufferPointer { buffer in
                stream.next_in = inBase.map { $0 + consumed }
                stream.avail_in = uInt(inChunk)
                stream.next_out = buffer.baseAddress! + written
                stream.avail_out = uInt(outChunk)
                return CZlib.inflate(&stream, Z_NO_FLUSH)
            }
            consumed += inChunk - Int(stream.avail_in)
            written += outChunk - Int(stream.avail_out)
            if written > maxOutput { throw .outputLimitExceeded(limit: maxOutput) }
            switch code {
            case Z_STREAM_END:
                guard consumed == input.count else {
                    throw .trailingBytes(offset: consumed, count: input.count - consumed)
                }
                output.removeLast(output.count - written)
                return output
            case Z_OK:
                continue
            case Z_BUF_ERROR:
                // No progress possible: either the output is full (grow and
                // retry) or the input is exhausted (truncated stream).
                if written == output.count { continue }
                throw .truncated(consumed: consumed)
            case Z_NEED_DICT:
                throw .corrupt(offset: consumed, message: "stream needs a preset dictionary")
            case Z_DATA_ERROR:
                throw .corrupt(offset: consumed, message: message(stream))
            default:
                throw .library(code: code, message: message(stream))
            }
        }
    }

    /// Inflates `input`, which must be exactly one complete stream.
    public static func inflate(
        _ input: [UInt8], format: Format = .zlib, maxOutput: Int, sizeHint: Int? = nil
    ) throws(ZlibError) -> [UInt8] {
        var result: Result<[UInt8], ZlibError> = .success([])
        input.withUnsafeBytes { raw in
            result = Result { () throws(ZlibError) in
                try inflate(raw, format: format, maxOutput: maxOutput, sizeHint: sizeHint)
            }
        }
        return try result.get()
    }

    private static func message(_ stream: z_stream) -> String {
        stream.msg.map { String(cString: $0) } ?? "no message"
    }
}
