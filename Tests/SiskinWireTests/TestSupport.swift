import SiskinAggregation
import SiskinWire

/// SeededRandom: tiny, seedable, good enough to drive property tests
/// reproducibly (the seed is in every failure message).
struct SeededRandom: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// A textual rendering of a summary in which every double appears as its bit
/// pattern, so two summaries render equal exactly when they are identical bit
/// for bit (`==` would say NaN != NaN and -0.0 == 0.0). Readable in failures.
func fingerprint(_ summary: PodSummary) -> String {
    func bits(_ value: Double) -> String { "d:" + String(value.bitPattern, radix: 16) }
    func sample(_ value: SampleValue) -> String {
        switch value {
        case .integer(let integer): return "i:\(integer)"
        case .float(let float): return bits(float)
        }
    }
    func labels(_ labels: [Label]) -> String {
        "{" + labels.map { "\($0.name.debugDescription)=\($0.value.debugDescription)" }.joined(separator: ",") + "}"
    }
    var lines = [
        "pod=\(summary.pod.debugDescription) ns=\(summary.namespace.debugDescription)",
        "agent=\(summary.agentInstance.debugDescription) seq=\(summary.sequence) ts=\(summary.timestampMilliseconds)",
        "podLabels=\(labels(summary.podLabels))",
        "metadata=\(labels(summary.metadata))",
    ]
    for family in summary.families {
        lines.append("family \(family.name.debugDescription) \(family.kind) \(family.series.count)")
        for series in family.series {
            let value: String
            switch series.value {
            case .counter(let counter): value = "counter " + sample(counter)
            case .gauge(let gauge): value = "gauge " + bits(gauge)
            case .histogram(let histogram):
                value = "histogram bounds=" + histogram.bounds.map(bits).joined(separator: ",")
                    + " buckets=" + histogram.bucketCounts.map(sample).joined(separator: ",")
                    + " sum=" + bits(histogram.sum) + " count=" + sample(histogram.count)
            }
            lines.append("  \(labels(series.labels)) \(value)")
        }
    }
    return lines.joined(separator: "\n")
}

/// Encodes then decodes with default limits.
func roundTrip(_ summary: PodSummary, level: Int = SummaryEncoder.defaultCompressionLevel) throws -> PodSummary {
    let encoded = try SummaryEncoder(compressionLevel: level).encode(summary)
    return try SummaryDecoder().decode(encoded.bytes)
}

/// Decodes, returning the error (or nil when decoding succeeded).
func decodingError(_ bytes: [UInt8], limits: DecodingLimits = .default) -> WireError? {
    do {
        _ = try SummaryDecoder(limits: limits).decode(bytes)
        return nil
    } catch {
        return error
    }
}

/// Hand-assembles payload bytes, to build frames the encoder never would.
final class PayloadBuilder {
    var bytes: [UInt8] = []

    @discardableResult
    func varint(_ value: UInt64) -> PayloadBuilder {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
        return self
    }

    @discardableResult
    func raw(_ values: [UInt8]) -> PayloadBuilder {
        bytes += values
        return self
    }

    @discardableResult
    func double(_ value: Double) -> PayloadBuilder {
        withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes += $0 }
        return self
    }

    /// A dictionary section holding `strings`.
    @discardableResult
    func dictionary(_ strings: [String]) -> PayloadBuilder {
        varint(UInt64(strings.count))
        for string in strings { varint(UInt64(string.utf8.count)) }
        for string in strings { bytes += Array(string.utf8) }
        return self
    }

    /// Dictionary ["p", "ns", "a"], identity (0, 1, 2, sequence 7,
    /// timestamp 1000), no pod labels, no metadata: a valid start.
    static func validPrefix() -> PayloadBuilder {
        let builder = PayloadBuilder()
        builder.dictionary(["p", "ns", "a"])
        builder.raw([0, 1, 2]).varint(7).varint(2000)  // zigzag(1000) = 2000
        builder.raw([0, 0])
        return builder
    }
}

/// A frame around `payload`: magic, version, flags, length, payload
/// (deflated when `compressed`).
func frame(_ payload: [UInt8], compressed: Bool = false, version: UInt8 = 1, declaredLength: Int? = nil) throws -> [UInt8] {
    let header = FrameHeader(version: version, isCompressed: compressed, uncompressedLength: declaredLength ?? payload.count)
    return header.bytes + (compressed ? try Zlib.deflate(payload, level: 9) : payload)
}
