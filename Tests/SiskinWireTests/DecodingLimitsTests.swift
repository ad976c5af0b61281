import SiskinAggregation
import SiskinWire
import Testing

@Suite("Decoding limits are enforced")
struct DecodingLimitsTests {
    private let bytes: [UInt8]
    private let plain: [UInt8]

    init() throws {
        let summary = istioSummary(combinations: 30)
        bytes = try SummaryEncoder().encode(summary).bytes
        plain = try SummaryEncoder(compressionLevel: 0).encode(summary).bytes
    }

    /// The field and limit of a `.limitExceeded` error, if it is one.
    private func exceeded(_ limits: DecodingLimits) -> (field: String, limit: Int)? {
        guard case .limitExceeded(let field, _, let limit, _)? = decodingError(bytes, limits: limits) else { return nil }
        return (field, limit)
    }

    @Test("The default limits accept a large realistic summary")
    func defaultsAccept() throws {
        let big = try SummaryEncoder().encode(istioSummary(combinations: 1000)).bytes
        #expect(decodingError(big) == nil)
    }

    @Test("Frame size above maxCompressedBytes")
    func compressedSize() {
        #expect(decodingError(bytes, limits: DecodingLimits(maxCompressedBytes: 100))
            == .compressedSizeLimitExceeded(size: bytes.count, limit: 100))
    }

    @Test("Declared payload above maxDecompressedBytes")
    func decompressedSize() throws {
        let declared = try FrameHeader(parsing: bytes).uncompressedLength
        #expect(decodingError(bytes, limits: DecodingLimits(maxDecompressedBytes: 1000))
            == .decompressedSizeLimitExceeded(declared: declared, limit: 1000))
        #expect(decodingError(plain, limits: DecodingLimits(maxDecompressedBytes: 1000))
            == .decompressedSizeLimitExceeded(declared: declared, limit: 1000))
    }

    @Test("More strings than maxStrings")
    func strings() {
        #expect(exceeded(DecodingLimits(maxStrings: 10))! == ("string count", 10))
    }

    @Test("A string longer than maxStringLength")
    func stringLength() {
        #expect(exceeded(DecodingLimits(maxStringLength: 20))! == ("string length", 20))
    }

    @Test("More families than maxFamilies")
    func families() {
        #expect(exceeded(DecodingLimits(maxFamilies: 3))! == ("family count", 3))
    }

    @Test("More series than maxSeries, over all families")
    func series() {
        // 30 label sets fit, but 30 counters + 30 histograms do not.
        #expect(exceeded(DecodingLimits(maxSeries: 50))! == ("total series count", 50))
        #expect(exceeded(DecodingLimits(maxSeries: 20))! == ("label set count", 20))
    }

    @Test("More labels than maxLabelsPerSeries, in label sets and pod labels")
    func labels() {
        #expect(exceeded(DecodingLimits(maxLabelsPerSeries: 5))! == ("pod label count", 5))
        #expect(exceeded(DecodingLimits(maxLabelsPerSeries: 20))! == ("label set size", 20))
    }

    @Test("More buckets than maxBucketsPerHistogram")
    func buckets() {
        #expect(exceeded(DecodingLimits(maxBucketsPerHistogram: 19))! == ("bound count", 18))
        #expect(decodingError(bytes, limits: DecodingLimits(maxBucketsPerHistogram: 20)) == nil)
    }

    @Test("Errors say what went wrong and where")
    func descriptions() {
        let error = WireError.limitExceeded(field: "string count", count: 99, limit: 10, offset: 0)
        #expect(error.description == "string count is 99, above the limit of 10, at payload offset 0")
        #expect(WireError.badMagic(found: [0x3C, 0x68, 0x74, 0x6D]).description.contains("3c 68 74 6d"))
    }
}
