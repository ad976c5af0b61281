import SiskinAggregation
import SiskinWire
import Testing

@Suite("Property: random summaries round-trip")
struct PropertyTests {
    @Test("300 random summaries decode bit for bit identical, at levels 0, 1, 6 and 9")
    func randomRoundTrips() throws {
        for seed in UInt64(1)...300 {
            var generator = RandomSummaryGenerator(seed: seed)
            let summary = generator.summary()
            let level = [0, 1, 6, 9][Int(seed % 4)]
            let encoded = try SummaryEncoder(compressionLevel: level).encode(summary)
            let decoded = try SummaryDecoder().decode(encoded.bytes)
            #expect(fingerprint(decoded) == fingerprint(summary), "seed \(seed)")
            // The encoding is canonical: decoding then encoding is the identity.
            #expect(try SummaryEncoder(compressionLevel: level).encode(decoded) == encoded, "seed \(seed)")
        }
    }
}
