import SiskinAggregation
import SiskinWire
import Testing

/// The aggregator decodes with a `StringCache`: it must change how strings
/// are allocated, never what a body decodes to or which bodies are refused.
@Suite("String cache")
struct StringCacheTests {
    @Test("A summary decodes to the same value with and without the cache, first time and again")
    func sameSummary() throws {
        let summary = istioSummary(combinations: 40)
        let body = try SummaryEncoder().encode(summary).bytes
        let cache = StringCache()
        let cached = SummaryDecoder(cache: cache)
        let first = try cached.decode(body)
        let again = try cached.decode(body)
        let plain = try SummaryDecoder().decode(body)
        #expect(first == summary)
        #expect(again == summary)
        #expect(plain == summary)
        #expect(fingerprint(again) == fingerprint(summary))
        #expect(cache.count > 0)
    }

    @Test("Invalid UTF-8 is refused with the same error after the valid string of that length was cached")
    func invalidUTF8() throws {
        let good = "destination_workload_namespace"  // over 15 bytes: cached
        var bad = Array(good.utf8)
        bad[bad.count - 1] = 0xFF
        func body(_ last: [UInt8]) throws -> [UInt8] {
            let payload = PayloadBuilder()
            payload.varint(4).varint(1).varint(2).varint(1).varint(UInt64(last.count))
                .raw(Array("pnsa".utf8)).raw(last)
                .raw([0, 1, 2]).varint(0).varint(0).raw([0, 0, 0, 0, 0])
            return try frame(payload.bytes)
        }
        let cache = StringCache()
        let decoded = try SummaryDecoder(cache: cache).decode(try body(Array(good.utf8)))
        #expect(decoded.pod == "p" && decoded.namespace == "ns")
        #expect(cache.count == 1)

        let expected = decodingError(try body(bad))
        #expect(expected == .invalidUTF8(stringIndex: 3, offset: 9))
        let withCache = #expect(throws: WireError.self) {
            try SummaryDecoder(cache: cache).decode(try body(bad))
        }
        #expect(withCache == expected)
        #expect(cache.count == 1)
    }

    @Test("The cache stays within its bound under a flood of new strings")
    func bounded() throws {
        let cache = StringCache(maxEntries: 64)
        for round in 0..<20 {
            var summary = istioSummary(combinations: 4)
            summary.pod = "flood-pod-with-a-long-name-\(round)"
            summary.podLabels = (0..<16).map { Label("label_\($0)", "a-value-long-enough-to-be-cached-\(round)-\($0)") }
            let body = try SummaryEncoder().encode(summary).bytes
            #expect(try SummaryDecoder(cache: cache).decode(body) == summary)
            #expect(cache.count <= 64)
        }
    }
}
