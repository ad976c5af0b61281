import SiskinAggregation
import SiskinWire

/// Writes one pod's successive frames without rebuilding the encoder's
/// tables: byte for byte what `SummaryEncoder` writes, several times faster.
///
/// Between two pushes of a pod only the sequence, the timestamp, three
/// metadata counters and the values change; the string dictionary, label
/// sets, bound sets and label columns stay the same. `SummaryEncoder` rebuilds
/// those tables on every call (hashing about two thousand label strings for a
/// hundred series), which made pre-encoding a run's bodies take minutes. This
/// writer takes the constant sections from one reference frame that
/// `SummaryEncoder` produced (with unique placeholders for the changing
/// metadata values) and writes only the changing parts itself.
///
/// It never guesses: `EncoderJob` compares its first frames of every pod with
/// `SummaryEncoder`'s and drops it for good on any difference, and a push
/// whose metadata value equals another dictionary string (the encoder would
/// share the entry and shift every later index) goes through `SummaryEncoder`.
struct FastFrameWriter: Sendable {
    /// Metadata whose values change from push to push, and the placeholders
    /// the reference frame carries instead (NUL-prefixed: no real string).
    static let dynamicMetadata = ["agent_scrapes_total", "agent_pushes_total", "agent_push_bytes_total"]
    static let placeholders = dynamicMetadata.indices.map { "\u{0}siskin-load-\($0)" }

    private let stringCount: Int
    /// Byte length of every dictionary string (dynamic ones are replaced).
    private let lengths: [Int]
    /// Dictionary index of each dynamic metadata value, in metadata order.
    private let dynamicIndices: [Int]
    /// Dictionary bytes around the dynamic values: `dynamicIndices.count + 1`
    /// chunks, in dictionary order.
    private let chunks: [[UInt8]]
    /// Order in which `dynamicIndices` appear in the dictionary.
    private let dynamicOrder: [Int]
    /// The other dictionary strings that are decimal integers, as the
    /// dynamic values are: one of those equal to a dynamic value would be
    /// shared by the encoder. (Only these: a set of every string, per pod,
    /// would cost more memory than the bodies.)
    private let numericStrings: Set<String>
    /// Pod, namespace and agent instance indices.
    private let identityPrefix: [UInt8]
    /// Pod labels, metadata, label sets, bound sets and the family count.
    private let tables: [UInt8]
    /// Per family: name, kind, series count, label column (and for
    /// histograms the bound-set column).
    private let familyHeaders: [[UInt8]]
    private let template: PodTemplate

    /// Builds the writer from `reference`, a level-0 frame `SummaryEncoder`
    /// made of the generator's summary with `placeholders` as the dynamic
    /// metadata values. Nil if the frame does not have the expected layout.
    init?(reference: [UInt8], template: PodTemplate) {
        guard reference.count > WireFormat.headerSize, reference[5] & 1 == 0 else { return nil }
        var reader = Reader(bytes: reference, position: WireFormat.headerSize)

        // 1. String dictionary.
        guard let count = reader.varint(), count < 1 << 24 else { return nil }
        var lengths: [Int] = []
        for _ in 0..<count {
            guard let length = reader.varint() else { return nil }
            lengths.append(length)
        }
        var strings: [ArraySlice<UInt8>] = []
        for length in lengths {
            guard let bytes = reader.take(length) else { return nil }
            strings.append(bytes)
        }
        let placeholderBytes = Self.placeholders.map { Array($0.utf8)[...] }
        var dynamicIndices: [Int] = []
        for placeholder in placeholderBytes {
            let matches = strings.indices.filter { strings[$0] == placeholder }
            guard matches.count == 1 else { return nil }
            dynamicIndices.append(matches[0])
        }
        let dynamicOrder = dynamicIndices.indices.sorted { dynamicIndices[$0] < dynamicIndices[$1] }
        var chunks: [[UInt8]] = [[]]
        var numericStrings: Set<String> = []
        for (index, bytes) in strings.enumerated() {
            if dynamicIndices.contains(index) {
                chunks.append([])
            } else {
                chunks[chunks.count - 1].append(contentsOf: bytes)
                if !bytes.isEmpty && bytes.allSatisfy({ (0x30...0x39).contains($0) }) {
                    numericStrings.insert(String(decoding: bytes, as: UTF8.self))
                }
            }
        }

        // 2. Identity: three indices kept, sequence and timestamp skipped.
        let identityStart = reader.position
        for _ in 0..<3 { guard reader.varint() != nil else { return nil } }
        let identityPrefix = Array(reference[identityStart..<reader.position])
        guard reader.varint() != nil, reader.varint() != nil else { return nil }

        // 3–6. Pod labels, metadata, label sets, bound sets: constant.
        let tablesStart = reader.position
        for _ in 0..<2 {
            guard let n = reader.varint() else { return nil }
            for _ in 0..<(2 * n) { guard reader.varint() != nil else { return nil } }
        }
        guard let labelSets = reader.varint() else { return nil }
        for _ in 0..<labelSets {
            guard let n = reader.varint() else { return nil }
            for _ in 0..<(2 * n) { guard reader.varint() != nil else { return nil } }
        }
        guard let boundSets = reader.varint() else { return nil }
        for _ in 0..<boundSets {
            guard let n = reader.varint(), reader.take(8 * n) != nil else { return nil }
        }

        // 7. Families: headers kept, value columns skipped.
        guard let familyCount = reader.varint(), familyCount == template.families.count else { return nil }
        let tables = Array(reference[tablesStart..<reader.position])
        var headers: [[UInt8]] = []
        for family in template.families {
            let headerStart = reader.position
            guard reader.varint() != nil, let kind = reader.byte(), kind == family.kind.rawValue,
                let seriesCount = reader.varint(), seriesCount == family.series.count
            else { return nil }
            for _ in 0..<seriesCount { guard reader.varint() != nil else { return nil } }
            if family.kind == .histogram {
                for _ in 0..<seriesCount { guard reader.varint() != nil else { return nil } }
            }
            headers.append(Array(reference[headerStart..<reader.position]))
            guard reader.skipValues(of: family, in: template) else { return nil }
        }
        guard reader.position == reference.count else { return nil }

        self.stringCount = count
        self.lengths = lengths
        self.dynamicIndices = dynamicIndices
        self.dynamicOrder = dynamicOrder
        self.chunks = chunks
        self.numericStrings = numericStrings
        self.identityPrefix = identityPrefix
        self.tables = tables
        self.familyHeaders = headers
        self.template = template
    }

    /// The payload (no frame header) of the generator's current summary, or
    /// nil when a dynamic metadata value collides with another string (or is
    /// not a decimal integer, which the collision check relies on).
    func payload(of generator: PodGenerator) -> [UInt8]? {
        let dynamic = generator.dynamicMetadataValues
        guard dynamic.count == dynamicIndices.count, Set(dynamic).count == dynamic.count,
            !dynamic.contains(where: numericStrings.contains),
            dynamic.allSatisfy({ !$0.isEmpty && $0.utf8.allSatisfy { (0x30...0x39).contains($0) } })
        else { return nil }

        var out = Writer(capacity: tables.count + template.integers.count * 3 + template.doubles.count * 8 + 8192)
        out.varint(UInt64(stringCount))
        var lengths = self.lengths
        for (slot, index) in dynamicIndices.enumerated() { lengths[index] = dynamic[slot].utf8.count }
        for length in lengths { out.varint(UInt64(length)) }
        out.append(chunks[0])
        for (position, slot) in dynamicOrder.enumerated() {
            out.append(Array(dynamic[slot].utf8))
            out.append(chunks[position + 1])
        }

        out.append(identityPrefix)
        out.varint(generator.sequence)
        let timestamp = generator.timestampMilliseconds
        out.varint(UInt64(bitPattern: (timestamp << 1) ^ (timestamp >> 63)))
        out.append(tables)

        generator.withValues { integers, doubles in
            for (family, header) in zip(template.families, familyHeaders) {
                out.append(header)
                switch family.kind {
                case .counter:
                    for index in family.series {
                        guard case .counter(let offset) = template.values[index] else { continue }
                        out.byte(0)  // ValueTag.integer
                        out.varint(integers[offset])
                    }
                case .gauge:
                    for index in family.series {
                        guard case .gauge(let slot) = template.values[index] else { continue }
                        out.double(doubles[slot])
                    }
                case .histogram:
                    // Buckets as deltas (they are integers and never
                    // decrease), then sums, then counts equal to +Inf.
                    for index in family.series {
                        guard case .histogram(let offset, let bounds, _) = template.values[index] else { continue }
                        out.byte(0)  // BucketEncoding.integerDeltas
                        var previous: UInt64 = 0
                        for bucket in offset...(offset + bounds.count) {
                            out.varint(integers[bucket] &- previous)
                            previous = integers[bucket]
                        }
                    }
                    for index in family.series {
                        guard case .histogram(_, _, let sum) = template.values[index] else { continue }
                        out.double(doubles[sum])
                    }
                    for _ in family.series { out.byte(2) }  // ValueTag.sameAsInfBucket
                }
            }
        }
        return out.bytes
    }

    /// Reads the reference frame.
    private struct Reader {
        let bytes: [UInt8]
        var position: Int

        mutating func byte() -> UInt8? {
            guard position < bytes.count else { return nil }
            defer { position += 1 }
            return bytes[position]
        }

        mutating func varint() -> Int? {
            var value: UInt64 = 0
            var shift: UInt64 = 0
            while let byte = byte() {
                value |= UInt64(byte & 0x7F) << shift
                if byte & 0x80 == 0 { return value <= UInt64(Int.max) ? Int(value) : nil }
                shift += 7
                if shift > 63 { return nil }
            }
            return nil
        }

        mutating func take(_ count: Int) -> ArraySlice<UInt8>? {
            guard count >= 0, count <= bytes.count - position else { return nil }
            defer { position += count }
            return bytes[position..<(position + count)]
        }

        /// Skips a family's value columns.
        mutating func skipValues(of family: PodTemplate.Family, in template: PodTemplate) -> Bool {
            switch family.kind {
            case .counter:
                for _ in family.series { guard skipTagged() else { return false } }
            case .gauge:
                guard take(8 * family.series.count) != nil else { return false }
            case .histogram:
                for index in family.series {
                    guard case .histogram(_, let bounds, _) = template.values[index], let encoding = byte() else { return false }
                    for _ in 0...bounds.count {
                        if encoding == 0 {
                            guard varint() != nil else { return false }
                        } else {
                            guard skipTagged() else { return false }
                        }
                    }
                }
                guard take(8 * family.series.count) != nil else { return false }
                for _ in family.series { guard skipTagged() else { return false } }
            }
            return true
        }

        private mutating func skipTagged() -> Bool {
            switch byte() {
            case 0: return varint() != nil
            case 1: return take(8) != nil
            case 2: return true
            default: return false
            }
        }
    }

    /// Appends the wire format's primitives.
    private struct Writer {
        var bytes: [UInt8] = []

        init(capacity: Int) { bytes.reserveCapacity(capacity) }

        mutating func byte(_ value: UInt8) { bytes.append(value) }

        mutating func append(_ other: [UInt8]) { bytes.append(contentsOf: other) }

        mutating func varint(_ value: UInt64) {
            var value = value
            while value >= 0x80 {
                bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
                value >>= 7
            }
            bytes.append(UInt8(value))
        }

        mutating func double(_ value: Double) {
            var bits = value.bitPattern
            for _ in 0..<8 {
                bytes.append(UInt8(truncatingIfNeeded: bits))
                bits >>= 8
            }
        }
    }
}
