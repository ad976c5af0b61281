import SiskinAggregation
import SiskinWire
import Testing

@Suite("Round trips of hand-built summaries")
struct RoundTripTests {
    @Test("Edge values survive bit for bit at every compression level", arguments: [0, 1, 6, 9])
    func edgeValues(level: Int) throws {
        let summary = edgeCaseSummary()
        let decoded = try roundTrip(summary, level: level)
        #expect(fingerprint(decoded) == fingerprint(summary))
    }

    @Test("UInt64.max counters, NaN and infinities keep their exact values")
    func specialValues() throws {
        let decoded = try roundTrip(edgeCaseSummary())
        let counters = decoded.families[1].series.map(\.value)
        #expect(counters[0] == .counter(.integer(.max)))
        #expect(counters[5] == .counter(.integer((1 << 53) + 1)))
        guard case .counter(.float(let nan)) = counters[3] else {
            Issue.record("NaN counter lost its float tag")
            return
        }
        #expect(nan.bitPattern == 0x7FF8_0000_0000_0001)
        let gauges = decoded.families[2].series.map(\.value)
        #expect(gauges[1] == .gauge(.infinity))
        #expect(gauges[2] == .gauge(-.infinity))
        guard case .gauge(let negativeZero) = gauges[4] else { return }
        #expect(negativeZero.sign == .minus && negativeZero == 0)
    }

    @Test("Unicode, escapes, NUL and empty strings in names and values are kept")
    func strings() throws {
        let decoded = try roundTrip(edgeCaseSummary())
        #expect(decoded.families[1].series[3].labels == [
            Label("weird", "quote \" backslash \\ newline \n tab \t nul \u{0} é 日本語 🚀")
        ])
        #expect(decoded.families[4].name == "")
        #expect(decoded.families[4].series.first?.labels == [Label("", "")])
        #expect(decoded.metadata.last == Label("", ""))
    }

    @Test("Pod identity, labels, sequence, timestamp and metadata are kept")
    func identity() throws {
        let summary = istioSummary(combinations: 20)
        let decoded = try roundTrip(summary)
        #expect(decoded.pod == summary.pod)
        #expect(decoded.namespace == summary.namespace)
        #expect(decoded.agentInstance == summary.agentInstance)
        #expect(decoded.sequence == summary.sequence)
        #expect(decoded.timestampMilliseconds == summary.timestampMilliseconds)
        #expect(decoded.podLabels == summary.podLabels)
        #expect(decoded.metadata == summary.metadata)
        #expect(decoded == summary)  // no NaN in there, so == applies
    }

    @Test("Extreme timestamps (zigzag) and sequence numbers round-trip", arguments: [
        (Int64.min, UInt64.max), (Int64.max, 0), (0, 1), (-1, 127), (1_732_752_000_123, 128),
    ] as [(Int64, UInt64)])
    func timestamps(timestamp: Int64, sequence: UInt64) throws {
        let summary = PodSummary(
            pod: "p", namespace: "n", agentInstance: "a", sequence: sequence, timestampMilliseconds: timestamp,
            families: [])
        #expect(try roundTrip(summary) == summary)
    }

    @Test("A summary without families or labels round-trips")
    func emptySummary() throws {
        let summary = PodSummary(pod: "", namespace: "", agentInstance: "", sequence: 0, timestampMilliseconds: 0, families: [])
        #expect(try roundTrip(summary) == summary)
        #expect(try roundTrip(summary, level: 0) == summary)
    }

    @Test("Histograms with different bound sets keep their own bounds")
    func boundSets() throws {
        let decoded = try roundTrip(edgeCaseSummary())
        let bounds = decoded.families[3].series.compactMap { series -> [Double]? in
            guard case .histogram(let histogram) = series.value else { return nil }
            return histogram.bounds
        }
        #expect(bounds == [envoyBounds, [-1, 0, 0.25], [], [1, 2], [1]])
    }

    @Test("Encoding is deterministic and re-encoding a decoded summary gives the same bytes")
    func deterministic() throws {
        let encoder = SummaryEncoder()
        let summary = edgeCaseSummary()
        let first = try encoder.encode(summary)
        #expect(try encoder.encode(summary) == first)
        let decoded = try SummaryDecoder().decode(first.bytes)
        #expect(try encoder.encode(decoded) == first)
    }

    @Test("Any contiguous or non-contiguous byte collection decodes")
    func collections() throws {
        let summary = istioSummary(combinations: 5)
        let bytes = try SummaryEncoder().encode(summary).bytes
        let padded = [0xAA] + bytes + [0xBB]
        #expect(try SummaryDecoder().decode(padded[1..<(padded.count - 1)]) == summary)
        #expect(try bytes.withUnsafeBytes { try SummaryDecoder().decode($0) } == summary)
        #expect(try SummaryDecoder().decode(bytes.lazy.map { $0 }) == summary)
    }
}

@Suite("Frame layout")
struct FrameLayoutTests {
    @Test("A frame starts with SISK, version 1, the compressed flag and the payload length (LE)")
    func header() throws {
        let encoded = try SummaryEncoder().encode(istioSummary(combinations: 10))
        let bytes = encoded.bytes
        #expect(Array(bytes[0..<4]) == Array("SISK".utf8))
        #expect(bytes[4] == WireFormat.version)
        #expect(bytes[5] == 0x01)
        let length = Int(bytes[6]) | Int(bytes[7]) << 8 | Int(bytes[8]) << 16 | Int(bytes[9]) << 24
        #expect(length == encoded.uncompressedSize)
        #expect(bytes[10] == 0x78)  // zlib header: deflate, 32 KiB window
        let header = try FrameHeader(parsing: bytes)
        #expect(header.isCompressed && header.uncompressedLength == encoded.uncompressedSize)
        #expect(encoded.compressedSize == bytes.count)
    }

    @Test("Level 0 writes the payload uncompressed with flag bit 0 clear")
    func uncompressed() throws {
        let summary = istioSummary(combinations: 10)
        let plain = try SummaryEncoder(compressionLevel: 0).encode(summary)
        let compressed = try SummaryEncoder().encode(summary)
        #expect(plain.bytes[5] == 0)
        #expect(plain.bytes.count == WireFormat.headerSize + plain.uncompressedSize)
        #expect(plain.uncompressedSize == compressed.uncompressedSize)
        let inflated = try Zlib.inflate(Array(compressed.bytes[10...]), maxOutput: 1 << 20)
        #expect(inflated == Array(plain.bytes[10...]))
    }

    @Test("A hand-built minimal payload decodes to the summary it describes")
    func minimalPayload() throws {
        let payload = PayloadBuilder.validPrefix()
        payload.raw([0, 0, 0])  // no label sets, no bound sets, no families
        let summary = try SummaryDecoder().decode(try frame(payload.bytes))
        #expect(summary == PodSummary(
            pod: "p", namespace: "ns", agentInstance: "a", sequence: 7, timestampMilliseconds: 1000, families: []))
    }
}

@Suite("Encoder rejects summaries that break the model")
struct EncoderValidationTests {
    private func summary(_ family: SummaryFamily) -> PodSummary {
        PodSummary(pod: "p", namespace: "n", agentInstance: "a", sequence: 1, timestampMilliseconds: 0, families: [family])
    }

    @Test("A series whose value does not match the family kind")
    func kindMismatch() {
        let family = SummaryFamily(
            name: "requests", kind: .counter,
            series: [SummarySeries(labels: [], value: .counter(.integer(1))), SummarySeries(labels: [], value: .gauge(1))])
        #expect(throws: WireError.kindMismatch(family: "requests", series: 1, expected: .counter)) {
            try SummaryEncoder().encode(summary(family))
        }
    }

    @Test("Histogram bounds that are not finite and strictly ascending, or a wrong bucket count", arguments: [
        ([1, 1], 3), ([2, 1], 3), ([1, .infinity], 3), ([.nan], 2), ([1, 2], 2),
    ] as [([Double], Int)])
    func invalidHistograms(bounds: [Double], buckets: Int) {
        var histogram = HistogramValue(bounds: [1, 2], bucketCounts: [.integer(0), .integer(1), .integer(2)], sum: 1, count: .integer(2))
        histogram.bounds = bounds
        histogram.bucketCounts = Array(repeating: .integer(1), count: buckets)
        let family = SummaryFamily(name: "h", kind: .histogram, series: [SummarySeries(labels: [], value: .histogram(histogram))])
        #expect {
            try SummaryEncoder().encode(summary(family))
        } throws: { error in
            guard case .invalidHistogram(family: "h", series: 0, _) = error as? WireError else { return false }
            return true
        }
    }
}
