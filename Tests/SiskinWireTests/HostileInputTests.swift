import SiskinAggregation
import SiskinWire
import Testing

@Suite("Hostile input: decoding fails cleanly, never crashes")
struct HostileInputTests {
    /// An uncompressed frame, so mutations reach the payload parser instead
    /// of being caught by zlib's checksum.
    private func plainFrame(_ summary: PodSummary) throws -> [UInt8] {
        try SummaryEncoder(compressionLevel: 0).encode(summary).bytes
    }

    @Test("Every truncation of a compressed frame fails with an error")
    func truncatedCompressed() throws {
        let bytes = try SummaryEncoder().encode(edgeCaseSummary()).bytes
        for length in 0..<bytes.count {
            #expect(decodingError(Array(bytes[..<length])) != nil, "prefix of \(length) bytes")
        }
    }

    @Test("Every truncation of a payload fails even when the header agrees with it")
    func truncatedPayload() throws {
        let payload = Array(try plainFrame(edgeCaseSummary())[WireFormat.headerSize...])
        for length in 0..<payload.count {
            let error = decodingError(try frame(Array(payload[..<length])))
            #expect(error != nil, "payload prefix of \(length) bytes")
        }
        // And the full payload is fine.
        #expect(decodingError(try frame(payload)) == nil)
    }

    @Test("Random byte flips in uncompressed frames either decode or throw")
    func flipsInPayload() throws {
        let original = try plainFrame(edgeCaseSummary())
        var rng = SeededRandom(seed: 7)
        var failures = 0
        for _ in 0..<3000 {
            var bytes = original
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                // Mostly the payload, keeping the header valid.
                let position = Int.random(in: WireFormat.headerSize..<bytes.count, using: &rng)
                bytes[position] ^= UInt8.random(in: 1...255, using: &rng)
            }
            if decodingError(bytes) != nil { failures += 1 }
        }
        #expect(failures > 0)
    }

    @Test("Random byte flips in compressed frames either decode or throw")
    func flipsInCompressed() throws {
        let original = try SummaryEncoder().encode(istioSummary(combinations: 10)).bytes
        var rng = SeededRandom(seed: 11)
        for _ in 0..<1000 {
            var bytes = original
            let position = Int.random(in: 0..<bytes.count, using: &rng)
            bytes[position] ^= UInt8.random(in: 1...255, using: &rng)
            _ = decodingError(bytes)
        }
    }

    @Test("Random payloads behind a valid header either decode or throw")
    func randomPayloads() throws {
        var rng = SeededRandom(seed: 13)
        for _ in 0..<3000 {
            let payload = (0..<Int.random(in: 0...64, using: &rng)).map { _ in
                // Small values, so counts and indices are often plausible.
                UInt8.random(in: 0...(Bool.random(using: &rng) ? 4 : 255), using: &rng)
            }
            _ = decodingError(try frame(payload))
        }
    }

    @Test("A zip bomb declaring its real size is refused before inflating")
    func zipBombDeclared() throws {
        let bomb = try ZipBomb.shared()
        let clock = ContinuousClock()
        var error: WireError?
        let elapsed = clock.measure {
            error = decodingError(ZipBomb.frame(bomb, declaring: bomb.size))
        }
        #expect(error == .decompressedSizeLimitExceeded(declared: bomb.size, limit: DecodingLimits.default.maxDecompressedBytes))
        #expect(elapsed < .milliseconds(100))
    }

    @Test("A zip bomb with a lying header stops inflating at the declared length")
    func zipBombLying() throws {
        let bomb = try ZipBomb.shared()
        let clock = ContinuousClock()
        var error: WireError?
        let elapsed = clock.measure { error = decodingError(ZipBomb.frame(bomb, declaring: 1000)) }
        #expect(error == .payloadExceedsDeclaredLength(declared: 1000))
        #expect(elapsed < .milliseconds(100))
    }

    @Test("A zip bomb declaring the maximum allowed size fails at the limit, not at 100 MB")
    func zipBombAtLimit() throws {
        let bomb = try ZipBomb.shared()
        let limits = DecodingLimits(maxDecompressedBytes: 4 << 20)
        let clock = ContinuousClock()
        var error: WireError?
        let elapsed = clock.measure { error = decodingError(ZipBomb.frame(bomb, declaring: 4 << 20), limits: limits) }
        #expect(error == .payloadExceedsDeclaredLength(declared: 4 << 20))
        #expect(elapsed < .seconds(1))
    }

    @Test("Wrong magic is rejected")
    func wrongMagic() throws {
        var bytes = try SummaryEncoder().encode(edgeCaseSummary()).bytes
        bytes[0] = UInt8(ascii: "X")
        #expect(decodingError(bytes) == .badMagic(found: Array("XISK".utf8)))
        #expect(decodingError(Array("<html><body>502 Bad Gateway</body></html>".utf8)) != nil)
        #expect(decodingError([0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 3, 0, 0]) == .badMagic(found: [0x1F, 0x8B, 8, 0]))
    }

    @Test("Unknown versions are rejected with the versions this decoder reads", arguments: [0, 2, 255] as [UInt8])
    func unknownVersion(version: UInt8) throws {
        var bytes = try SummaryEncoder().encode(edgeCaseSummary()).bytes
        bytes[4] = version
        let error = decodingError(bytes)
        #expect(error == .unsupportedVersion(found: version, supported: [1]))
        #expect(error?.description.contains("version \(version)") == true)
    }

    @Test("Unknown flag bits are rejected")
    func unknownFlags() throws {
        var bytes = try SummaryEncoder().encode(edgeCaseSummary()).bytes
        bytes[5] |= 0x80
        #expect(decodingError(bytes) == .unknownFlags(0x81))
    }

    @Test("A header shorter than 10 bytes is rejected")
    func shortHeader() {
        #expect(decodingError([]) == .truncatedHeader(length: 0))
        #expect(decodingError(Array("SISK".utf8) + [1, 1]) == .truncatedHeader(length: 6))
    }

    @Test("Garbage after the zlib stream is rejected")
    func trailingAfterStream() throws {
        let bytes = try SummaryEncoder().encode(edgeCaseSummary()).bytes + [0]
        guard case .decompressionFailed(.trailingBytes(_, count: 1))? = decodingError(bytes) else {
            Issue.record("expected trailing bytes after the zlib stream to be rejected")
            return
        }
    }

    @Test("A corrupt zlib stream is rejected")
    func corruptStream() throws {
        var bytes = try SummaryEncoder().encode(edgeCaseSummary()).bytes
        bytes[bytes.count - 1] ^= 0xFF  // Adler-32 trailer
        guard case .decompressionFailed(.corrupt)? = decodingError(bytes) else {
            Issue.record("expected a checksum failure")
            return
        }
    }

    @Test("A payload shorter or longer than declared is rejected")
    func lengthMismatch() throws {
        let payload = PayloadBuilder.validPrefix()
        payload.raw([0, 0, 0])
        #expect(decodingError(try frame(payload.bytes, declaredLength: payload.bytes.count + 1))
            == .payloadLengthMismatch(declared: payload.bytes.count + 1, actual: payload.bytes.count))
        #expect(decodingError(try frame(payload.bytes, compressed: true, declaredLength: payload.bytes.count + 5))
            == .payloadLengthMismatch(declared: payload.bytes.count + 5, actual: payload.bytes.count))
        #expect(decodingError(try frame(payload.bytes, compressed: true, declaredLength: payload.bytes.count - 1))
            == .payloadExceedsDeclaredLength(declared: payload.bytes.count - 1))
    }
}

@Suite("Hostile input: malformed payloads are located precisely")
struct MalformedPayloadTests {
    @Test("Trailing garbage after the last family is rejected with its offset")
    func trailingGarbage() throws {
        let payload = PayloadBuilder.validPrefix()
        payload.raw([0, 0, 0])
        let end = payload.bytes.count
        payload.raw([0xFF, 0xFF])
        #expect(decodingError(try frame(payload.bytes)) == .trailingBytes(count: 2, offset: end))
    }

    @Test("An out-of-range dictionary index is rejected")
    func dictionaryIndexOutOfRange() throws {
        let payload = PayloadBuilder()
        payload.dictionary(["p", "ns"]).raw([0, 1, 5])
        #expect(decodingError(try frame(payload.bytes))
            == .indexOutOfRange(field: "agent instance index", index: 5, tableSize: 2, offset: 8))
    }

    @Test("Out-of-range label-set and bound-set indices are rejected")
    func tableIndexOutOfRange() throws {
        let labelSets = PayloadBuilder.validPrefix()
        labelSets.raw([0, 0, 1, 0, 1, 1]).varint(3)  // no sets; family "p" counter with series → set 3
        guard case .indexOutOfRange(field: "label set index", index: 3, tableSize: 0, _)? = decodingError(try frame(labelSets.bytes)) else {
            Issue.record("expected label set index error")
            return
        }
        let boundSets = PayloadBuilder.validPrefix()
        boundSets.raw([1, 0, 0, 1, 0, 3, 1, 0, 9])  // one empty label set; histogram → bound set 9
        guard case .indexOutOfRange(field: "bound set index", index: 9, tableSize: 0, _)? = decodingError(try frame(boundSets.bytes)) else {
            Issue.record("expected bound set index error")
            return
        }
    }

    @Test("Overlong and overflowing varints are rejected", arguments: [
        [0x80, 0x00],  // 0 in two bytes
        [0x83, 0x80, 0x00],  // 3 with a zero group
        [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x02],  // 2^64 + ...
        [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01],  // 11 bytes
    ] as [[UInt8]])
    func badVarints(sequence: [UInt8]) throws {
        let payload = PayloadBuilder()
        payload.dictionary(["p", "ns", "a"]).raw([0, 1, 2]).raw(sequence)
        #expect(decodingError(try frame(payload.bytes)) == .malformedVarint(field: "sequence number", offset: 11))
    }

    @Test("The largest 10-byte varint is accepted")
    func maxVarint() throws {
        let payload = PayloadBuilder()
        payload.dictionary(["p", "ns", "a"]).raw([0, 1, 2]).varint(.max).varint(0).raw([0, 0, 0, 0, 0])
        #expect(try SummaryDecoder().decode(try frame(payload.bytes)).sequence == .max)
    }

    @Test("Invalid UTF-8 in the dictionary is rejected", arguments: [
        [0xFF], [0xC0, 0x80], [0xED, 0xA0, 0x80], [0xE2, 0x82], [0xF4, 0x90, 0x80, 0x80],
    ] as [[UInt8]])
    func invalidUTF8(bytes: [UInt8]) throws {
        let payload = PayloadBuilder()
        payload.varint(2).varint(1).varint(UInt64(bytes.count)).raw([UInt8(ascii: "a")]).raw(bytes)
        #expect(decodingError(try frame(payload.bytes)) == .invalidUTF8(stringIndex: 1, offset: 4))
    }

    @Test("Unknown metric kind, value and bucket tags are rejected")
    func unknownTags() throws {
        let kind = PayloadBuilder.validPrefix()
        kind.raw([0, 0, 1, 0, 9, 0])
        #expect(decodingError(try frame(kind.bytes)) == .invalidTag(field: "metric kind", tag: 9, offset: 20))

        let value = PayloadBuilder.validPrefix()
        value.raw([1, 0, 0, 1, 0, 1, 1, 0, 7])  // counter series with tag 7
        #expect(decodingError(try frame(value.bytes)) == .invalidTag(field: "counter value", tag: 7, offset: 24))

        let bucket = PayloadBuilder.validPrefix()
        bucket.raw([1, 0, 1, 0, 1, 0, 3, 1, 0, 0, 4])  // histogram, no bounds, bucket encoding 4
        #expect(decodingError(try frame(bucket.bytes)) == .invalidTag(field: "bucket encoding", tag: 4, offset: 26))
    }

    @Test("Bounds that are not finite and ascending are rejected", arguments: [[2.0, 1.0], [1, 1], [.nan], [.infinity], [-.infinity]])
    func badBounds(bounds: [Double]) throws {
        let payload = PayloadBuilder.validPrefix()
        payload.raw([0, 1]).varint(UInt64(bounds.count))
        for bound in bounds { payload.double(bound) }
        payload.raw([0])
        // Reported at the offending bound: the last one in each case.
        let offset = 19 + 8 * (bounds.count - 1)
        guard case .invalidValue(field: "histogram bound", _, offset: offset)? = decodingError(try frame(payload.bytes)) else {
            Issue.record("expected invalid bounds for \(bounds) at offset \(offset)")
            return
        }
    }

    @Test("Bucket deltas overflowing 64 bits are rejected")
    func bucketOverflow() throws {
        let payload = PayloadBuilder.validPrefix()
        payload.raw([1, 0, 1, 1]).double(1)  // one label set (empty), one bound set [1]
        payload.raw([1, 0, 3, 1, 0, 0, 0]).varint(.max).varint(1)  // histogram: deltas max, 1
        payload.double(0).raw([2])
        guard case .invalidValue(field: "bucket delta", _, _)? = decodingError(try frame(payload.bytes)) else {
            Issue.record("expected overflowing bucket deltas to be rejected")
            return
        }
    }

    @Test("Counts claiming more items than bytes remain are rejected before allocating")
    func hugeCounts() throws {
        let strings = PayloadBuilder()
        strings.varint(1_000_000)
        #expect(decodingError(try frame(strings.bytes))
            == .countExceedsInput(field: "string count", count: 1_000_000, remainingBytes: 0, offset: 0))

        let length = PayloadBuilder()
        length.varint(1).varint(60_000).raw([1, 2, 3])
        #expect(decodingError(try frame(length.bytes))
            == .countExceedsInput(field: "total string bytes", count: 60_000, remainingBytes: 3, offset: 1))

        let series = PayloadBuilder.validPrefix()
        series.raw([0, 0, 1, 0, 1]).varint(1 << 19)
        guard case .countExceedsInput(field: "series count", count: 1 << 19, _, _)? = decodingError(try frame(series.bytes)) else {
            Issue.record("expected the series count to be checked against the input")
            return
        }
    }
}

/// 100 MB of zeros, deflated once (about 100 KB) and shared by the tests.
struct ZipBomb: Sendable {
    let size: Int
    let compressed: [UInt8]

    private static let cache = Result { () throws(ZlibError) -> ZipBomb in
        let size = 100_000_000
        let zeros = [UInt8](repeating: 0, count: size)
        return ZipBomb(size: size, compressed: try Zlib.deflate(zeros, level: 9))
    }

    static func shared() throws -> ZipBomb { try cache.get() }

    static func frame(_ bomb: ZipBomb, declaring length: Int) -> [UInt8] {
        FrameHeader(isCompressed: true, uncompressedLength: length).bytes + bomb.compressed
    }
}
