import SiskinExposition

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Turns successive scrapes of one pod's Envoy into cumulative, exact,
/// pre-aggregated output series.
///
/// Each output value is a counter that moves by exactly the true increase of
/// the raw series summed into it, whatever happens to them between scrapes:
/// an Envoy restart (values drop: the new value is the increase), a raw series
/// that vanishes (it stops contributing; its last value is remembered for
/// `staleAfterScrapes` scrapes in case it comes back), or a raw series that
/// appears (it was created at zero, so its whole value is the increase). See
/// docs/aggregation.md.
///
/// Steady state is about one pass over the body: raw series are cached by
/// their exact bytes, in the order of the previous scrape, so each line costs
/// one `memcmp` and a number parse.
public struct PodAggregator {
    /// Tunables and limits.
    public struct Options: Sendable, Hashable {
        /// Scrapes a vanished raw series (and an output series nothing feeds)
        /// is remembered before it is forgotten.
        public var staleAfterScrapes: Int = 60
        /// Most raw series kept; lines for new series beyond it are dropped
        /// and counted, so a hostile body cannot exhaust memory.
        public var maxRawSeries: Int = 500_000
        /// Most output series kept.
        public var maxOutputSeries: Int = 200_000
        /// Stop at the first malformed line and change nothing.
        public var strict: Bool = false
        /// How many error details a scrape report keeps (all are counted).
        public var maxReportedErrors: Int = 10
        /// Longest line a streamed body may carry between pieces.
        public var maxLineBytes: Int = 1 << 20

        public init() {}
    }

    public let rules: AggregationRules
    public let options: Options
    public let pod: String
    public let namespace: String

    // Raw series, keyed by their printed bytes.
    var rawKeys = ByteKeyTable(capacity: 4096, storage: .fingerprint)
    var raw: [RawSeries] = []
    var previousOrder: [Int32] = []
    var currentOrder: [Int32] = []

    // Output series and their value slots.
    var outputKeys = ByteKeyTable(capacity: 1024)
    var outputs: [OutputSeries] = []
    var freeOutputs: [Int32] = []
    var slots: [Slot] = []
    var freeSlots: [Int32] = []
    var gaugeSlots: [Int32] = []
    var families: [OutputFamily] = []
    var familyIndexByName: [String: Int32] = [:]

    // Raw histograms, for whole-histogram reset decisions.
    var groupKeys = ByteKeyTable(capacity: 1024)
    var groups: [RawHistogramGroup] = []
    var pending: [PendingReading] = []

    // Per-family decisions, keyed by family name bytes.
    var familyDecisionKeys = ByteKeyTable(capacity: 256)
    var familyDecisions: [FamilyDecision] = []

    /// Number of scrapes ingested so far.
    public private(set) var generation: UInt32 = 0

    // The previous histogram line's identity (family + labels but `le`), so
    // the other lines of the same raw histogram skip label work.
    var previousHistogramBase: [UInt8] = []
    var previousHistogramOutput: Int32 = -1
    var previousHistogramGroup: Int32 = -1

    /// The scrape in progress (whole body or streamed pieces).
    struct ScrapeState {
        var active = false
        var finished = false
        var report = ScrapeReport(bytes: 0)
        var cursor = 0
        var lines = 0
        var carry: [UInt8] = []
        var carryOverflow = false
        var segment: [UInt8] = []
        var family: [UInt8] = []
        var familyType: MetricType = .untyped

        /// Back to a fresh state in place, keeping the buffers' capacity
        /// (no per-scrape allocation).
        mutating func reset() {
            active = false
            finished = false
            report = ScrapeReport(bytes: 0)
            cursor = 0
            lines = 0
            carry.removeAll(keepingCapacity: true)
            carryOverflow = false
            segment.removeAll(keepingCapacity: true)
            family.removeAll(keepingCapacity: true)
            familyType = .untyped
        }
    }
    var scrape = ScrapeState()

    // Scratch buffers reused across series.
    var scratchKey: [UInt8] = []
    var scratchLabels: [PendingLabel] = []
    var scratchValue: [UInt8] = []

    let labelFilters: [LabelNameFilter]
    let restartSignal: [UInt8]?
    /// The restart signal's reading in the previous and the current scrape.
    var previousUptime: Double? = nil
    var currentUptime: Double? = nil
    /// Whether any cumulative reading of this scrape went down.
    var anyDecrease = false

    public init(pod: String, namespace: String, rules: AggregationRules = .default, options: Options = Options()) {
        self.pod = pod
        self.namespace = namespace
        self.rules = rules
        self.labelFilters = rules.rules.map { LabelNameFilter($0.labels) }
        self.restartSignal = rules.restartSignal.map { Array($0.utf8) }
        self.options = options
        scratchKey.reserveCapacity(2048)
        scratchValue.reserveCapacity(256)
    }

    // MARK: - Ingest

    /// Aggregates one scrape body.
    ///
    /// Lenient by default: a malformed line is counted in the report and
    /// skipped, the rest of the body still counts. With `options.strict`, a
    /// malformed body throws and leaves the aggregator unchanged.
    @discardableResult
    public mutating func ingest(_ body: UnsafeRawBufferPointer) throws(ParseError) -> ScrapeReport {
        if options.strict, let error = Self.firstError(in: body) { throw error }
        return ingestLenient(body)
    }

    /// Aggregates one scrape body held in an array.
    @discardableResult
    public mutating func ingest(_ body: [UInt8]) throws(ParseError) -> ScrapeReport {
        if options.strict, let error = body.withUnsafeBytes({ Self.firstError(in: $0) }) { throw error }
        return body.withUnsafeBytes { ingestLenient($0) }
    }

    /// The first malformed line of a body, if any (strict mode's check).
    public static func firstError(in body: UnsafeRawBufferPointer) -> ParseError? {
        var parser = ExpositionParser(body)
        while let entry = parser.next() {
            if case .invalid(let error) = entry { return error }
        }
        return nil
    }

    private mutating func ingestLenient(_ body: UnsafeRawBufferPointer) -> ScrapeReport {
        beginScrape(expectedBytes: body.count)
        scrape.report.bytes = body.count
        ingestSegment(body, synthetic: false)
        return endScrape(complete: true)
    }

    // MARK: - Streaming

    /// Starts a scrape whose body arrives in pieces (`feed`), so the agent
    /// never holds a whole dump: parse as libcurl streams it in. Streaming is
    /// always lenient: `options.strict` needs the whole body (`ingest`).
    public mutating func beginScrape(expectedBytes: Int = 0) {
        generation &+= 1
        scrape.reset()
        scrape.active = true
        if rawKeys.liveCount == 0, expectedBytes > 0 {
            // First scrape: size the caches for a body like this one (Envoy
            // lines are ~100 to ~1000 bytes; keys are most of each line).
            let estimatedLines = min(expectedBytes / 128, options.maxRawSeries)
            rawKeys.reserve(keys: estimatedLines, bytes: min(expectedBytes, 256 << 20))
            raw.reserveCapacity(estimatedLines)
            previousOrder.reserveCapacity(estimatedLines)
            currentOrder.reserveCapacity(estimatedLines)
        }
        for s in gaugeSlots { slots[Int(s)].gauge = 0 }
        currentOrder.removeAll(keepingCapacity: true)
        currentUptime = nil
        anyDecrease = false
    }

    /// Feeds the next piece of the body; pieces may split lines anywhere.
    /// Complete lines are aggregated at once; a partial last line waits.
    public mutating func feed(_ chunk: UnsafeRawBufferPointer) {
        guard scrape.active, !scrape.finished, let base = chunk.baseAddress, chunk.count > 0 else { return }
        scrape.report.bytes += chunk.count
        // The last newline is near the end of a piece: scan backwards.
        var last = chunk.count - 1
        let bytes = base.assumingMemoryBound(to: UInt8.self)
        while last >= 0, bytes[last] != UInt8(ascii: "\n") { last -= 1 }
        guard last >= 0 else {
            appendCarry(chunk)
            return
        }
        let split = last + 1
        ingestAssembled(carryPlus: UnsafeRawBufferPointer(rebasing: chunk[0..<split]))
        appendCarry(UnsafeRawBufferPointer(rebasing: chunk[split..<chunk.count]))
    }

    /// Ends a scrape started with `beginScrape`. `complete` is false when the
    /// transfer broke off: its unfinished last line is then dropped, since a
    /// cut-off number would read as a smaller (reset) value.
    public mutating func endScrape(complete: Bool = true) -> ScrapeReport {
        if complete, !scrape.carry.isEmpty, !scrape.finished {
            ingestAssembled(carryPlus: UnsafeRawBufferPointer(start: nil, count: 0))
        }
        scrape.carry.removeAll()
        var report = scrape.report
        report.lines = scrape.lines
        finishScrape(&report)
        scrape.reset()
        return report
    }

    private mutating func appendCarry(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count > 0 else { return }
        guard scrape.carry.count + bytes.count <= options.maxLineBytes else {
            // A line this long is not Envoy's; drop it rather than grow.
            scrape.carryOverflow = true
            scrape.carry.removeAll(keepingCapacity: true)
            return
        }
        if !scrape.carryOverflow { scrape.carry.append(contentsOf: bytes) }
    }

    /// Parses carry + `bytes` (complete lines), behind a synthetic `# TYPE`
    /// line that restores the family the previous piece ended in.
    private mutating func ingestAssembled(carryPlus bytes: UnsafeRawBufferPointer) {
        if scrape.carryOverflow {
            // The over-long line ends at the first newline of this piece.
            scrape.carryOverflow = false
            scrape.lines += 1
            scrape.report.lineOffset = scrape.lines - 1
            scrape.report.record(
                ParseError(line: 1, reason: .lineTooLong, excerpt: "longer than \(options.maxLineBytes) bytes"),
                keep: options.maxReportedErrors)
            var rest = bytes
            if let base = bytes.baseAddress, let newline = memchr(base, Int32(UInt8(ascii: "\n")), bytes.count) {
                rest = UnsafeRawBufferPointer(rebasing: bytes[(UnsafeRawPointer(newline) - base + 1)..<bytes.count])
            } else {
                rest = UnsafeRawBufferPointer(start: nil, count: 0)
            }
            scrape.carry.removeAll(keepingCapacity: true)
            ingestAssembled(carryPlus: rest)
            return
        }
        var segment = scrape.segment
        scrape.segment = []
        segment.removeAll(keepingCapacity: true)
        let synthetic = !scrape.family.isEmpty
        if synthetic {
            segment.append(contentsOf: "# TYPE ".utf8)
            segment.append(contentsOf: scrape.family)
            segment.append(UInt8(ascii: " "))
            segment.append(contentsOf: scrape.familyType.description.utf8)
            segment.append(UInt8(ascii: "\n"))
        }
        segment.append(contentsOf: scrape.carry)
        segment.append(contentsOf: bytes)
        scrape.carry.removeAll(keepingCapacity: true)
        segment.withUnsafeBytes { ingestSegment($0, synthetic: synthetic) }
        scrape.segment = segment
    }

    /// Aggregates whole lines. With `synthetic`, the first line is the
    /// `# TYPE` the aggregator wrote to restore the parser's family.
    private mutating func ingestSegment(_ body: UnsafeRawBufferPointer, synthetic: Bool) {
        var parser = ExpositionParser(body)
        var report = scrape.report
        defer { scrape.report = report }
        report.lineOffset = scrape.lines - (synthetic ? 1 : 0)
        if synthetic, parser.next() == .type {
            handleType(&parser, counted: false, report: &report)
        }
        let predicted = previousOrder
        loop: while !parser.isAtEnd {
            // Fast path: the series the previous scrape printed next.
            if scrape.cursor < predicted.count {
                let id = predicted[scrape.cursor]
                switch consumePredicted(&parser, id) {
                case .matched:
                    scrape.cursor += 1
                    report.samples += 1
                    apply(id, value: parser.value, integer: parser.integerValue, report: &report, parser: parser)
                    continue loop
                case .invalid(let error):
                    scrape.cursor += 1
                    report.record(error, keep: options.maxReportedErrors)
                    continue loop
                case .notMatched:
                    break
                }
            }
            guard let entry = parser.next() else { break }
            switch entry {
            case .sample:
                report.samples += 1
                if let id = slowSample(&parser, report: &report) {
                    let position = raw[Int(id)].previousPosition
                    if position >= 0 { scrape.cursor = Int(position) + 1 }
                }
            case .type:
                handleType(&parser, counted: true, report: &report)
            case .help, .comment:
                continue
            case .eof:
                scrape.finished = true
                break loop
            case .invalid(let error):
                report.record(error, keep: options.maxReportedErrors)
            }
        }
        scrape.lines += parser.lineNumber - (synthetic ? 1 : 0)
        if !parser.familyName.isEmpty {
            scrape.family.removeAll(keepingCapacity: true)
            scrape.family.append(contentsOf: parser.bytes[range: parser.familyName])
            scrape.familyType = parser.familyType
        }
    }

    /// A `# TYPE` line: decide the family, read the restart signal, skip
    /// what no rule wants.
    private mutating func handleType(_ parser: inout ExpositionParser, counted: Bool, report: inout ScrapeReport) {
        if counted { report.familiesSeen += 1 }
        let decision = decideFamily(&parser, report: &report)
        if isRestartSignal(parser), parser.nextLineIsSample(), parser.next() == .sample {
            currentUptime = parser.value
            if decision.selected {
                report.samples += 1
                _ = slowSample(&parser, report: &report)
            }
        }
        if !decision.selected {
            report.skippedLines += parser.skipFamily()
        } else if counted {
            report.familiesKept += 1
        }
    }

    // MARK: - Families

    private func isRestartSignal(_ parser: ExpositionParser) -> Bool {
        guard let restartSignal, parser.familyName.count == restartSignal.count else { return false }
        return restartSignal.withUnsafeBytes { memcmp($0.baseAddress!, parser.bytes[range: parser.familyName].baseAddress!, $0.count) == 0 }
    }

    struct FamilyDecision {
        var selected: Bool
        var kind: MetricKind
        var family: Int32
        var rule: Int32
    }

    private mutating func decideFamily(_ parser: inout ExpositionParser, report: inout ScrapeReport) -> FamilyDecision {
        let nameBytes = parser.bytes[range: parser.familyName]
        let type = parser.familyType
        let hash = FastHash.hash(nameBytes, seed: UInt64(type.rawValue))
        if let id = familyDecisionKeys.find(nameBytes, hash: hash) {
            return familyDecisions[Int(id)]
        }
        let name = parser.bytes.string(parser.familyName)
        var decision = FamilyDecision(selected: false, kind: .gauge, family: -1, rule: -1)
        if let ruleIndex = rules.rules.firstIndex(where: { $0.families.contains(name) }) {
            let kind: MetricKind?
            switch type {
            case .counter: kind = .counter
            case .gauge, .untyped, .unknown: kind = .gauge
            case .histogram: kind = .histogram
            case .summary, .gaugeHistogram, .info, .stateSet: kind = nil
            }
            if let kind {
                decision = FamilyDecision(
                    selected: true, kind: kind, family: familyIndex(name: name, kind: kind), rule: Int32(ruleIndex))
            } else {
                report.unsupportedFamilies += 1
            }
        }
        if familyDecisionKeys.liveCount < 10_000 {
            let id = familyDecisionKeys.insert(nameBytes, hash: hash)
            if Int(id) == familyDecisions.count { familyDecisions.append(decision) } else { familyDecisions[Int(id)] = decision }
        }
        return decision
    }

    private mutating func familyIndex(name: String, kind: MetricKind) -> Int32 {
        if let index = familyIndexByName[name], families[Int(index)].kind == kind { return index }
        let index = Int32(families.count)
        families.append(OutputFamily(name: name, kind: kind))
        familyIndexByName[name] = index
        return index
    }

    /// The fast path's test: does the next line print raw series `id`?
    private func consumePredicted(_ parser: inout ExpositionParser, _ id: Int32) -> ExpositionParser.KeyMatch {
        parser.consumeSample(ifKeyOfLength: rawKeys.keyLength(id)) { rawKeys.keyEquals(id, $0) }
    }

    // MARK: - New and moved series

    /// Handles a sample the fast path did not predict. Returns its raw id.
    private mutating func slowSample(_ parser: inout ExpositionParser, report: inout ScrapeReport) -> Int32? {
        let keyBytes = parser.bytes[range: parser.seriesKey]
        let hash = FastHash.hash(keyBytes)
        if let id = rawKeys.find(keyBytes, hash: hash) {
            apply(id, value: parser.value, integer: parser.integerValue, report: &report, parser: parser)
            return id
        }
        guard rawKeys.liveCount < options.maxRawSeries else {
            report.record(
                ParseError(line: parser.lineNumber, reason: .tooManySeries, excerpt: "limit \(options.maxRawSeries) raw series"),
                keep: options.maxReportedErrors)
            return nil
        }
        var target = RawSeries(slot: -1, kind: .ignored)
        if let decision = currentFamilyDecision(&parser, report: &report), decision.selected {
            switch mapToSlot(&parser, decision: decision, report: &report) {
            case .some(let mapped): target = mapped
            case .none: return nil  // invalid (error recorded)
            }
        }
        let id = rawKeys.insert(keyBytes, hash: hash)
        if Int(id) == raw.count { raw.append(target) } else { raw[Int(id)] = target }
        report.newSeries += 1
        apply(id, value: parser.value, integer: parser.integerValue, report: &report, parser: parser)
        return id
    }

    private mutating func currentFamilyDecision(_ parser: inout ExpositionParser, report: inout ScrapeReport) -> FamilyDecision? {
        // Samples of untyped families (no `# TYPE` line) are decided by name.
        decideFamily(&parser, report: &report)
    }

    struct PendingLabel {
        var name: ByteRange
        var value: ByteRange
        var escaped: Bool
    }

    /// Works out which output slot a new raw series feeds.
    private mutating func mapToSlot(
        _ parser: inout ExpositionParser, decision: FamilyDecision, report: inout ScrapeReport
    ) -> RawSeries? {
        let role = parser.role
        if role == .created { return RawSeries(slot: -1, kind: .ignored) }
        if decision.kind == .histogram, let cached = sameHistogramAsPrevious(parser, decision: decision) {
            return cached
        }
        let filter = labelFilters[Int(decision.rule)]
        let bytes = parser.bytes
        scratchLabels.removeAll(keepingCapacity: true)
        var bound: Double? = nil
        // Group key of a raw histogram: family, then every label but `le` as printed.
        scratchValue.removeAll(keepingCapacity: true)
        withUnsafeBytes(of: decision.family.littleEndian) { scratchValue.append(contentsOf: $0) }
        for label in parser.labels() {
            let name = bytes[range: label.name]
            if role == .bucket, name.count == 2, name[0] == UInt8(ascii: "l"), name[1] == UInt8(ascii: "e") {
                guard let parsedBound = ExpositionNumbers.double(bytes[range: label.value]), !parsedBound.isNaN else {
                    report.record(
                        ParseError(line: parser.lineNumber, reason: .invalidBucketBound, excerpt: bytes.string(parser.seriesKey).prefix(120).description),
                        keep: options.maxReportedErrors)
                    return nil
                }
                bound = parsedBound
                continue
            }
            scratchValue.append(contentsOf: name)
            scratchValue.append(0xFF)
            scratchValue.append(contentsOf: bytes[range: label.value])
            scratchValue.append(0xFE)
            if filter.keeps(name) {
                scratchLabels.append(PendingLabel(name: label.name, value: label.value, escaped: label.valueHasEscapes))
            }
        }
        if role == .bucket, bound == nil {
            report.record(
                ParseError(line: parser.lineNumber, reason: .histogramWithoutLe, excerpt: bytes.string(parser.seriesKey).prefix(120).description),
                keep: options.maxReportedErrors)
            return nil
        }
        scratchLabels.sort { a, b in
            let x = bytes[range: a.name], y = bytes[range: b.name]
            let c = memcmp(x.baseAddress!, y.baseAddress!, min(x.count, y.count))
            return c != 0 ? c < 0 : x.count < y.count
        }
        // Output key: family, then name 0xFF value 0xFE per label (bytes that
        // never occur in UTF-8, so keys cannot collide).
        scratchKey.removeAll(keepingCapacity: true)
        withUnsafeBytes(of: decision.family.littleEndian) { scratchKey.append(contentsOf: $0) }
        for label in scratchLabels {
            scratchKey.append(contentsOf: bytes[range: label.name])
            scratchKey.append(0xFF)
            if label.escaped {
                LabelEscaping.unescape(bytes[range: label.value], into: &scratchKey)
            } else {
                scratchKey.append(contentsOf: bytes[range: label.value])
            }
            scratchKey.append(0xFE)
        }
        guard let output = findOrCreateOutput(decision: decision, parser: parser, report: &report) else { return nil }
        let kind = decision.kind
        switch kind {
        case .counter:
            return RawSeries(slot: outputs[Int(output)].valueSlot, kind: .cumulative)
        case .gauge:
            return RawSeries(slot: outputs[Int(output)].valueSlot, kind: .gauge)
        case .histogram:
            let group = histogramGroup()
            rememberHistogramBase(parser, decision: decision, output: output, group: group)
            return histogramLine(role: role, output: output, group: group, bound: bound)
        }
    }

    /// The slot a histogram line feeds: its bucket, `_sum` or `_count`.
    private mutating func histogramLine(role: SampleRole, output: Int32, group: Int32, bound: Double?) -> RawSeries {
        switch role {
        case .bucket:
            return RawSeries(slot: bucketSlot(output: output, bound: bound!), kind: .cumulative, group: group)
        case .sum:
            return RawSeries(slot: outputs[Int(output)].sumSlot, kind: .cumulative, group: group)
        case .count:
            return RawSeries(slot: outputs[Int(output)].countSlot, kind: .cumulative, group: group)
        case .value, .created:
            return RawSeries(slot: -1, kind: .ignored)
        }
    }

    /// Envoy prints `le` last: a bucket's labels are its `_sum`/`_count`
    /// labels plus `,le="..."`. Splits a label block into that base and the
    /// `le` value; nil if the block does not end in a plain `le` label.
    private func splitTrailingLe(_ bytes: UnsafeRawBufferPointer, _ block: ByteRange) -> (base: ByteRange, le: ByteRange)? {
        var end = block.end
        while end > block.start, bytes[end - 1] == UInt8(ascii: " ") || bytes[end - 1] == UInt8(ascii: ",") { end -= 1 }
        guard end - block.start >= 6, bytes[end - 1] == UInt8(ascii: "\"") else { return nil }
        let close = end - 1
        var open = close - 1
        while open > block.start {
            let b = bytes[open]
            if b == UInt8(ascii: "\"") { break }
            if b == UInt8(ascii: "\\") { return nil }
            open -= 1
        }
        guard open - 3 >= block.start, bytes[open] == UInt8(ascii: "\""), bytes[open - 1] == UInt8(ascii: "="),
              bytes[open - 2] == UInt8(ascii: "e"), bytes[open - 3] == UInt8(ascii: "l")
        else { return nil }
        let nameStart = open - 3
        if nameStart == block.start { return (ByteRange(block.start, block.start), ByteRange(open + 1, close)) }
        guard bytes[nameStart - 1] == UInt8(ascii: ",") else { return nil }
        return (ByteRange(block.start, nameStart - 1), ByteRange(open + 1, close))
    }

    /// The base (labels but `le`) of the current histogram line.
    private func histogramBase(_ parser: ExpositionParser) -> (base: ByteRange, le: ByteRange?)? {
        if parser.role == .bucket {
            guard let split = splitTrailingLe(parser.bytes, parser.labelBlock) else { return nil }
            return (split.base, split.le)
        }
        return (parser.labelBlock, nil)
    }

    /// Fast mapping for a line of the same raw histogram as the previous one.
    private mutating func sameHistogramAsPrevious(_ parser: ExpositionParser, decision: FamilyDecision) -> RawSeries? {
        guard previousHistogramOutput >= 0, outputs[Int(previousHistogramOutput)].live,
              let (base, le) = histogramBase(parser)
        else { return nil }
        let baseBytes = parser.bytes[range: base]
        let same = previousHistogramBase.withUnsafeBytes { previous -> Bool in
            guard previous.count == baseBytes.count + 4 else { return false }
            guard previous.load(as: Int32.self) == decision.family.littleEndian else { return false }
            return baseBytes.count == 0 || memcmp(previous.baseAddress! + 4, baseBytes.baseAddress!, baseBytes.count) == 0
        }
        guard same else { return nil }
        var bound: Double? = nil
        if parser.role == .bucket {
            guard let le, let parsed = ExpositionNumbers.double(parser.bytes[range: le]), !parsed.isNaN else { return nil }
            bound = parsed
        }
        return histogramLine(role: parser.role, output: previousHistogramOutput, group: previousHistogramGroup, bound: bound)
    }

    private mutating func rememberHistogramBase(_ parser: ExpositionParser, decision: FamilyDecision, output: Int32, group: Int32) {
        guard let (base, _) = histogramBase(parser) else {
            previousHistogramOutput = -1
            return
        }
        previousHistogramBase.removeAll(keepingCapacity: true)
        withUnsafeBytes(of: decision.family.littleEndian) { previousHistogramBase.append(contentsOf: $0) }
        previousHistogramBase.append(contentsOf: parser.bytes[range: base])
        previousHistogramOutput = output
        previousHistogramGroup = group
    }

    /// The raw histogram group whose key is in `scratchValue`.
    private mutating func histogramGroup() -> Int32 {
        let found: Int32? = scratchValue.withUnsafeBytes { groupKeys.find($0, hash: FastHash.hash($0)) }
        if let found { return found }
        let id: Int32 = scratchValue.withUnsafeBytes { groupKeys.insert($0, hash: FastHash.hash($0)) }
        if Int(id) == groups.count { groups.append(RawHistogramGroup()) } else { groups[Int(id)] = RawHistogramGroup() }
        return id
    }

    private mutating func findOrCreateOutput(
        decision: FamilyDecision, parser: ExpositionParser, report: inout ScrapeReport
    ) -> Int32? {
        let found: Int32? = scratchKey.withUnsafeBytes { key in
            outputKeys.find(key, hash: FastHash.hash(key))
        }
        if let found { return found }
        guard outputKeys.liveCount < options.maxOutputSeries else {
            report.record(
                ParseError(line: parser.lineNumber, reason: .tooManySeries, excerpt: "limit \(options.maxOutputSeries) output series"),
                keep: options.maxReportedErrors)
            return nil
        }
        // Labels as strings, built once per output series.
        let bytes = parser.bytes
        var labels: [Label] = []
        labels.reserveCapacity(scratchLabels.count + 2)
        for label in scratchLabels {
            var name = bytes.string(label.name)
            if name == rules.podLabel || name == rules.namespaceLabel { name = "exported_" + name }
            labels.append(Label(name, LabelEscaping.unescapedString(bytes[range: label.value], hasEscapes: label.escaped)))
        }
        labels.append(Label(rules.podLabel, pod))
        labels.append(Label(rules.namespaceLabel, namespace))
        labels.sort()

        var series = OutputSeries(family: decision.family, kind: decision.kind, labels: labels)
        switch decision.kind {
        case .counter, .gauge:
            series.valueSlot = allocateSlot(gauge: decision.kind == .gauge)
        case .histogram:
            series.sumSlot = allocateSlot(gauge: false)
            series.countSlot = allocateSlot(gauge: false)
        }
        series.lastTouched = generation
        let id: Int32 = scratchKey.withUnsafeBytes { key in
            outputKeys.insert(key, hash: FastHash.hash(key))
        }
        if Int(id) == outputs.count { outputs.append(series) } else { outputs[Int(id)] = series }
        families[Int(decision.family)].members.append(id)
        families[Int(decision.family)].needsSorting = true
        report.newOutputSeries += 1
        return id
    }

    private mutating func allocateSlot(gauge: Bool) -> Int32 {
        let slot: Int32
        if let reused = freeSlots.popLast() {
            slot = reused
            slots[Int(slot)] = Slot()
        } else {
            slot = Int32(slots.count)
            slots.append(Slot())
        }
        slots[Int(slot)].lastTouched = generation
        if gauge { gaugeSlots.append(slot) }
        return slot
    }

    private mutating func bucketSlot(output: Int32, bound: Double) -> Int32 {
        if bound == .infinity {
            if outputs[Int(output)].infSlot < 0 { outputs[Int(output)].infSlot = allocateSlot(gauge: false) }
            return outputs[Int(output)].infSlot
        }
        let bounds = outputs[Int(output)].bounds
        var lo = 0, hi = bounds.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if bounds[mid] < bound { lo = mid + 1 } else { hi = mid }
        }
        if lo < bounds.count, bounds[lo] == bound { return outputs[Int(output)].bucketSlots[lo] }
        let slot = allocateSlot(gauge: false)
        outputs[Int(output)].bounds.insert(bound, at: lo)
        outputs[Int(output)].bucketSlots.insert(slot, at: lo)
        return slot
    }

    // MARK: - Applying values

    /// Adds one sample's true increase to its output slot.
    @inline(__always)
    private mutating func apply(
        _ id: Int32, value: Double, integer: UInt64?, report: inout ScrapeReport, parser: borrowing ExpositionParser
    ) {
        let index = Int(id)
        if raw[index].lastSeen == generation {
            report.record(
                ParseError(line: parser.lineNumber, reason: .duplicateSeries, excerpt: parser.bytes.string(parser.seriesKey).prefix(120).description),
                keep: options.maxReportedErrors)
            return
        }
        raw[index].lastSeen = generation
        currentOrder.append(id)
        let slot = Int(raw[index].slot)
        switch raw[index].kind {
        case .ignored:
            report.ignoredSamples += 1
            return
        case .gauge:
            slots[slot].gauge += value
            slots[slot].lastTouched = generation
            report.keptSamples += 1
            return
        case .cumulative:
            break
        }
        report.keptSamples += 1
        guard value.isFinite, value >= 0 else {
            // NaN, infinities and negative values cannot be counter readings;
            // keep the last good reading so the next good one is measured from it.
            if value < 0 {
                report.record(
                    ParseError(line: parser.lineNumber, reason: .negativeCounter, excerpt: parser.bytes.string(parser.seriesKey).prefix(120).description),
                    keep: options.maxReportedErrors)
            }
            slots[slot].lastTouched = generation
            return
        }
        slots[slot].lastTouched = generation
        // Readings wait for the end of the scrape, when it is known whether the
        // pod's Envoy restarted (its uptime comes after the counters) and
        // whether each histogram reset as a whole.
        let decreased = raw[index].decreased(value: value, integer: integer)
        if decreased { anyDecrease = true }
        let group = raw[index].group
        if group >= 0 {
            groups[Int(group)].lastSeen = generation
            if decreased { groups[Int(group)].resetGeneration = generation }
        }
        pending.append(PendingReading(id: id, value: value, integer: integer))
    }

    /// Adds a cumulative reading's increase: the delta since the last reading,
    /// or the whole reading after a reset (its own, or its histogram's).
    @inline(__always)
    private mutating func applyCumulative(
        _ index: Int, value: Double, integer: UInt64?, groupReset: Bool, report: inout ScrapeReport
    ) {
        let slot = Int(raw[index].slot)
        let r = raw[index]
        if groupReset && r.hasLast {
            if let current = integer { slots[slot].addInteger(current) } else { slots[slot].addFloat(value) }
            raw[index].lastInteger = integer ?? 0
            raw[index].lastIsInteger = integer != nil
            raw[index].lastFloat = value
            return
        }
        if let current = integer {
            if !r.hasLast {
                slots[slot].addInteger(current)
            } else if r.lastIsInteger {
                if current >= r.lastInteger {
                    slots[slot].addInteger(current - r.lastInteger)
                } else {
                    slots[slot].addInteger(current)
                    report.resets += 1
                }
            } else {
                addFloatIncrease(slot: slot, current: value, last: r.lastFloat, hasLast: true, report: &report)
            }
            raw[index].lastInteger = current
            raw[index].lastIsInteger = true
        } else {
            addFloatIncrease(slot: slot, current: value, last: r.lastFloat, hasLast: r.hasLast, report: &report)
            raw[index].lastIsInteger = false
        }
        raw[index].lastFloat = value
        raw[index].hasLast = true
    }

    @inline(__always)
    private mutating func addFloatIncrease(slot: Int, current: Double, last: Double, hasLast: Bool, report: inout ScrapeReport) {
        if !hasLast {
            slots[slot].addFloat(current)
        } else if current >= last {
            slots[slot].addFloat(current - last)
        } else {
            slots[slot].addFloat(current)
            report.resets += 1
        }
    }

    // MARK: - End of scrape

    private mutating func finishScrape(_ report: inout ScrapeReport) {
        // Envoy restarted: its uptime went down, and its counters either went
        // down too or are not printed yet. (A hot restart keeps counters and
        // prints them, none lower, so uptime alone is not enough.)
        let uptimeDropped = currentUptime != nil && previousUptime != nil && currentUptime! < previousUptime!
        let podRestart = uptimeDropped && (anyDecrease || pending.isEmpty)
        if podRestart {
            report.envoyRestarts += 1
            // Series not printed since the restart also started over: when they
            // come back, their whole value is new.
            for i in raw.indices where raw[i].hasLast && raw[i].lastSeen != generation {
                raw[i].hasLast = false
            }
        }
        if currentUptime != nil { previousUptime = currentUptime }
        for reading in pending {
            let index = Int(reading.id)
            let group = Int(raw[index].group)
            let groupReset = podRestart || (group >= 0 && groups[group].resetGeneration == generation)
            applyCumulative(index, value: reading.value, integer: reading.integer, groupReset: groupReset, report: &report)
        }
        if !podRestart {
            for reading in pending {
                let group = Int(raw[Int(reading.id)].group)
                guard group >= 0, groups[group].resetGeneration == generation else { continue }
                // Count each histogram reset once.
                groups[group].resetGeneration = 0
                report.resets += 1
            }
        }
        pending.removeAll(keepingCapacity: true)
        for (position, id) in currentOrder.enumerated() {
            raw[Int(id)].previousPosition = Int32(position)
        }
        swap(&previousOrder, &currentOrder)
        let stale = UInt32(clamping: options.staleAfterScrapes)
        guard generation > stale else {
            report.rawSeries = rawKeys.liveCount
            report.outputSeries = outputKeys.liveCount
            return
        }
        let horizon = generation - stale
        // Forget raw series not seen for `stale` scrapes.
        for i in raw.indices where raw[i].lastSeen != 0 && raw[i].lastSeen < horizon {
            if rawKeys.entries[i].live {
                rawKeys.remove(Int32(i))
                raw[i] = RawSeries(slot: -1, kind: .ignored)
                report.forgottenSeries += 1
            }
        }
        for g in groups.indices where groups[g].live && groups[g].lastSeen < horizon {
            groupKeys.remove(Int32(g))
            groups[g].live = false
        }
        // Drop output series that nothing has fed for `stale` scrapes.
        var removedAny = false
        for i in outputs.indices where outputs[i].live {
            let touched = outputs[i].allSlots.map { slots[Int($0)].lastTouched }.max() ?? 0
            if touched < horizon {
                removeOutput(Int32(i))
                removedAny = true
            }
        }
        if removedAny {
            for f in families.indices {
                families[f].members.removeAll { !outputs[Int($0)].live }
            }
        }
        report.rawSeries = rawKeys.liveCount
        report.outputSeries = outputKeys.liveCount
    }

    private mutating func removeOutput(_ id: Int32) {
        let series = outputs[Int(id)]
        for slot in series.allSlots {
            freeSlots.append(slot)
            if let g = gaugeSlots.firstIndex(of: slot) { gaugeSlots.remove(at: g) }
        }
        outputs[Int(id)].live = false
        outputKeys.remove(id)
        if previousHistogramOutput == id { previousHistogramOutput = -1 }
    }
}
