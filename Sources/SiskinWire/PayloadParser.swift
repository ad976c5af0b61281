import SiskinAggregation

/// Reads the v1 payload sections in order (dictionary, identity, pod labels,
/// metadata, label sets, bound sets, families), checking each count against
/// `DecodingLimits` and the remaining bytes before allocating for it.
struct PayloadParser {
    var reader: ByteReader
    let limits: DecodingLimits
    let cache: StringCache?
    private var strings: [String] = []

    init(reader: ByteReader, limits: DecodingLimits, cache: StringCache? = nil) {
        self.reader = reader
        self.limits = limits
        self.cache = cache
    }

    mutating func parse() throws(WireError) -> PodSummary {
        try readDictionary()
        let pod = try string("pod name index")
        let namespace = try string("namespace index")
        let agentInstance = try string("agent instance index")
        let sequence = try reader.varint("sequence number")
        let timestamp = try reader.zigzag("timestamp")
        let podLabels = try labels("pod label count")
        let metadata = try labels("metadata count")
        let labelSets = try readLabelSets()
        let boundSets = try readBoundSets()
        let families = try readFamilies(labelSets: labelSets, boundSets: boundSets)
        guard reader.isAtEnd else { throw .trailingBytes(count: reader.remaining, offset: reader.offset) }
        return PodSummary(
            pod: pod, namespace: namespace, podLabels: podLabels, agentInstance: agentInstance,
            sequence: sequence, timestampMilliseconds: timestamp, metadata: metadata, families: families)
    }

    // MARK: Strings and labels

    /// Count, every length, then the concatenated UTF-8 bytes.
    private mutating func readDictionary() throws(WireError) {
        let count = try reader.count("string count", limit: limits.maxStrings, minimumBytes: 1)
        var lengths: [Int] = []
        lengths.reserveCapacity(count)
        var total = 0
        for _ in 0..<count {
            let start = reader.offset
            let length = try reader.varint("string length")
            guard length <= UInt64(limits.maxStringLength) else {
                throw .limitExceeded(field: "string length", count: length, limit: limits.maxStringLength, offset: start)
            }
            total += Int(length)
            // Checked as we go, so `total` cannot overflow either.
            guard total <= reader.remaining else {
                throw .countExceedsInput(
                    field: "total string bytes", count: UInt64(total), remainingBytes: reader.remaining, offset: start)
            }
            lengths.append(Int(length))
        }
        strings.reserveCapacity(count)
        if let cache {
            var starts: [Int] = []
            var pieces: [UnsafeRawBufferPointer] = []
            starts.reserveCapacity(count)
            pieces.reserveCapacity(count)
            for length in lengths {
                starts.append(reader.offset)
                pieces.append(try reader.bytes(length, "string bytes"))
            }
            if let bad = cache.strings(pieces, into: &strings) {
                throw .invalidUTF8(stringIndex: bad, offset: starts[bad])
            }
            return
        }
        for (position, length) in lengths.enumerated() {
            let start = reader.offset
            let bytes = try reader.bytes(length, "string bytes")
            guard let string = String(validating: bytes, as: UTF8.self) else {
                throw .invalidUTF8(stringIndex: position, offset: start)
            }
            strings.append(string)
        }
    }

    private mutating func string(_ field: String) throws(WireError) -> String {
        strings[try reader.index(field, tableSize: strings.count)]
    }

    /// Count, name indices, value indices.
    private mutating func labels(_ field: String) throws(WireError) -> [Label] {
        let count = try reader.count(field, limit: limits.maxLabelsPerSeries, minimumBytes: 2)
        guard count > 0 else { return [] }
        var names: [Int] = []
        names.reserveCapacity(count)
        for _ in 0..<count { names.append(try reader.index("label name index", tableSize: strings.count)) }
        var labels: [Label] = []
        labels.reserveCapacity(count)
        for name in names {
            let value = try reader.index("label value index", tableSize: strings.count)
            labels.append(Label(strings[name], strings[value]))
        }
        return labels
    }

    // MARK: Shared tables

    private mutating func readLabelSets() throws(WireError) -> [[Label]] {
        let count = try reader.count("label set count", limit: limits.maxSeries, minimumBytes: 1)
        var sets: [[Label]] = []
        sets.reserveCapacity(count)
        for _ in 0..<count { sets.append(try labels("label set size")) }
        return sets
    }

    private mutating func readBoundSets() throws(WireError) -> [[Double]] {
        let count = try reader.count("bound set count", limit: limits.maxSeries, minimumBytes: 1)
        var sets: [[Double]] = []
        sets.reserveCapacity(count)
        for _ in 0..<count {
            let size = try reader.count(
                "bound count", limit: max(limits.maxBucketsPerHistogram - 1, 0), minimumBytes: 8)
            var bounds: [Double] = []
            bounds.reserveCapacity(size)
            var previous = -Double.infinity
            for _ in 0..<size {
                let boundOffset = reader.offset
                let bound = try reader.double("histogram bound")
                guard bound.isFinite, bound > previous else {
                    throw .invalidValue(
                        field: "histogram bound", reason: "\(bound) breaks finite, strictly ascending bounds",
                        offset: boundOffset)
                }
                previous = bound
                bounds.append(bound)
            }
            sets.append(bounds)
        }
        return sets
    }

    // MARK: Families

    private mutating func readFamilies(labelSets: [[Label]], boundSets: [[Double]]) throws(WireError) -> [SummaryFamily] {
        // A family takes at least 3 bytes: name, kind, series count.
        let count = try reader.count("family count", limit: limits.maxFamilies, minimumBytes: 3)
        var families: [SummaryFamily] = []
        families.reserveCapacity(count)
        var totalSeries = 0
        for _ in 0..<count {
            let name = try string("family name index")
            let kindOffset = reader.offset
            let kindByte = try reader.byte("metric kind")
            guard let kind = MetricKind(rawValue: kindByte) else {
                throw .invalidTag(field: "metric kind", tag: kindByte, offset: kindOffset)
            }
            let countOffset = reader.offset
            let seriesCount = try reader.count("series count", limit: limits.maxSeries, minimumBytes: 1)
            totalSeries += seriesCount
            guard totalSeries <= limits.maxSeries else {
                throw .limitExceeded(
                    field: "total series count", count: UInt64(totalSeries), limit: limits.maxSeries,
                    offset: countOffset)
            }
            var labelColumn: [Int] = []
            labelColumn.reserveCapacity(seriesCount)
            for _ in 0..<seriesCount {
                labelColumn.append(try reader.index("label set index", tableSize: labelSets.count))
            }
            let values: [SummarySeries.Value]
            switch kind {
            case .counter: values = try readCounters(seriesCount)
            case .gauge: values = try readGauges(seriesCount)
            case .histogram: values = try readHistograms(seriesCount, boundSets: boundSets)
            }
            var series: [SummarySeries] = []
            series.reserveCapacity(seriesCount)
            for position in 0..<seriesCount {
                series.append(SummarySeries(labels: labelSets[labelColumn[position]], value: values[position]))
            }
            families.append(SummaryFamily(name: name, kind: kind, series: series))
        }
        return families
    }

    private mutating func readCounters(_ count: Int) throws(WireError) -> [SummarySeries.Value] {
        var values: [SummarySeries.Value] = []
        values.reserveCapacity(count)
        for _ in 0..<count { values.append(.counter(try sample("counter value"))) }
        return values
    }

    private mutating func readGauges(_ count: Int) throws(WireError) -> [SummarySeries.Value] {
        guard count <= reader.remaining / 8 else {
            throw .countExceedsInput(
                field: "gauge values", count: UInt64(count), remainingBytes: reader.remaining, offset: reader.offset)
        }
        var values: [SummarySeries.Value] = []
        values.reserveCapacity(count)
        for _ in 0..<count { values.append(.gauge(try reader.double("gauge value"))) }
        return values
    }

    /// Columns: bound-set indices, buckets, sums, counts.
    private mutating func readHistograms(_ count: Int, boundSets: [[Double]]) throws(WireError) -> [SummarySeries.Value] {
        var boundColumn: [Int] = []
        boundColumn.reserveCapacity(count)
        for _ in 0..<count { boundColumn.append(try reader.index("bound set index", tableSize: boundSets.count)) }

        var bucketColumn: [[SampleValue]] = []
        bucketColumn.reserveCapacity(count)
        for position in 0..<count {
            bucketColumn.append(try buckets(count: boundSets[boundColumn[position]].count + 1))
        }

        guard count <= reader.remaining / 8 else {
            throw .countExceedsInput(
                field: "histogram sums", count: UInt64(count), remainingBytes: reader.remaining, offset: reader.offset)
        }
        var sums: [Double] = []
        sums.reserveCapacity(count)
        for _ in 0..<count { sums.append(try reader.double("histogram sum")) }

        var values: [SummarySeries.Value] = []
        values.reserveCapacity(count)
        for position in 0..<count {
            let buckets = bucketColumn[position]
            let tagOffset = reader.offset
            let tag = try reader.byte("histogram count tag")
            let total: SampleValue
            switch tag {
            case ValueTag.integer: total = .integer(try reader.varint("histogram count"))
            case ValueTag.float: total = .float(try reader.double("histogram count"))
            case ValueTag.sameAsInfBucket: total = buckets[buckets.count - 1]
            default: throw .invalidTag(field: "histogram count", tag: tag, offset: tagOffset)
            }
            values.append(.histogram(HistogramValue(
                bounds: boundSets[boundColumn[position]], bucketCounts: buckets, sum: sums[position], count: total)))
        }
        return values
    }

    /// One histogram's cumulative buckets (`count` = bounds + 1).
    private mutating func buckets(count: Int) throws(WireError) -> [SampleValue] {
        let start = reader.offset
        let encoding = try reader.byte("bucket encoding")
        guard encoding == BucketEncoding.integerDeltas || encoding == BucketEncoding.tagged else {
            throw .invalidTag(field: "bucket encoding", tag: encoding, offset: start)
        }
        guard count <= reader.remaining else {
            throw .countExceedsInput(
                field: "bucket count", count: UInt64(count), remainingBytes: reader.remaining, offset: start)
        }
        var buckets: [SampleValue] = []
        buckets.reserveCapacity(count)
        switch encoding {
        case BucketEncoding.integerDeltas:
            var cumulative: UInt64 = 0
            for _ in 0..<count {
                let deltaOffset = reader.offset
                let (sum, overflow) = cumulative.addingReportingOverflow(try reader.varint("bucket delta"))
                guard !overflow else {
                    throw .invalidValue(
                        field: "bucket delta", reason: "cumulative count overflows 64 bits", offset: deltaOffset)
                }
                cumulative = sum
                buckets.append(.integer(cumulative))
            }
        default:  // BucketEncoding.tagged, checked above
            for _ in 0..<count { buckets.append(try sample("bucket value")) }
        }
        return buckets
    }

    /// A tagged `SampleValue`: integer varint or float double.
    private mutating func sample(_ field: String) throws(WireError) -> SampleValue {
        let start = reader.offset
        let tag = try reader.byte(field)
        switch tag {
        case ValueTag.integer: return .integer(try reader.varint(field))
        case ValueTag.float: return .float(try reader.double(field))
        default: throw .invalidTag(field: field, tag: tag, offset: start)
        }
    }
}
