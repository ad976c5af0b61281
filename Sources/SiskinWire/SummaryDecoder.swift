import SiskinAggregation

/// Decodes a v1 frame back into a `PodSummary`, treating the bytes as hostile.
///
/// Sizes are checked against `limits` before inflating, inflating stops at
/// the declared length, and every count, index, varint and string is
/// validated before use, so any input either decodes or fails with a
/// `WireError` saying what and where, in bounded time and memory.
public struct SummaryDecoder: Sendable {
    public var limits: DecodingLimits
    /// Shared by the decoders of a long-running receiver (the aggregator), so
    /// the strings every push repeats are not allocated again each time.
    public var cache: StringCache?

    public init(limits: DecodingLimits = .default, cache: StringCache? = nil) {
        self.limits = limits
        self.cache = cache
    }

    /// Decodes one complete frame.
    public func decode(_ bytes: UnsafeRawBufferPointer) throws(WireError) -> PodSummary {
        guard bytes.count <= limits.maxCompressedBytes else {
            throw .compressedSizeLimitExceeded(size: bytes.count, limit: limits.maxCompressedBytes)
        }
        let header = try FrameHeader(parsing: bytes)
        let declared = header.uncompressedLength
        guard declared <= limits.maxDecompressedBytes else {
            throw .decompressedSizeLimitExceeded(declared: declared, limit: limits.maxDecompressedBytes)
        }
        let body = UnsafeRawBufferPointer(rebasing: bytes[WireFormat.headerSize...])
        guard header.isCompressed else {
            guard body.count == declared else { throw .payloadLengthMismatch(declared: declared, actual: body.count) }
            return try decodePayload(body)
        }

        let payload: [UInt8]
        do {
            // The hint is capped by the input size so that a tiny frame
            // claiming a huge payload does not get a huge buffer up front.
            let hint = body.count >= declared / 64 ? declared : body.count * 64
            payload = try Zlib.inflate(body, format: .zlib, maxOutput: declared, sizeHint: hint)
        } catch .outputLimitExceeded {
            throw .payloadExceedsDeclaredLength(declared: declared)
        } catch {
            throw .decompressionFailed(error)
        }
        guard payload.count == declared else {
            throw .payloadLengthMismatch(declared: declared, actual: payload.count)
        }
        var result: Result<PodSummary, WireError> = .failure(.truncatedHeader(length: 0))
        payload.withUnsafeBytes { raw in
            result = Result { () throws(WireError) in try decodePayload(raw) }
        }
        return try result.get()
    }

    /// Decodes one complete frame.
    public func decode(_ bytes: [UInt8]) throws(WireError) -> PodSummary {
        var result: Result<PodSummary, WireError> = .failure(.truncatedHeader(length: 0))
        bytes.withUnsafeBytes { raw in
            result = Result { () throws(WireError) in try decode(raw) }
        }
        return try result.get()
    }

    /// Decodes one complete frame from any byte collection (`Data`,
    /// `ByteBuffer` views, slices); contiguous storage is read in place.
    public func decode<Bytes: Collection<UInt8>>(_ bytes: Bytes) throws(WireError) -> PodSummary {
        let contiguous = bytes.withContiguousStorageIfAvailable { buffer in
            Result { () throws(WireError) in try decode(UnsafeRawBufferPointer(buffer)) }
        }
        if let contiguous { return try contiguous.get() }
        guard bytes.count <= limits.maxCompressedBytes else {
            throw .compressedSizeLimitExceeded(size: bytes.count, limit: limits.maxCompressedBytes)
        }
        return try decode(Array(bytes))
    }

    /// Decodes an uncompressed payload (the bytes after the header).
    func decodePayload(_ payload: UnsafeRawBufferPointer) throws(WireError) -> PodSummary {
        var parser = PayloadParser(reader: ByteReader(payload), limits: limits, cache: cache)
        return try parser.parse()
    }
}
