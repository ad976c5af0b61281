import SiskinAggregation
import SiskinExposition
import SiskinWire

/// Runs captured scrapes through the real pipeline (parse, aggregate,
/// encode, compress) and measures it: what a user runs on a
/// `curl localhost:15090/stats/prometheus` dump to see what Siskin would send.
public struct Inspection {
    public var rules: AggregationRules
    public var rulesName: String
    public var repeatCount: Int
    public var pod: String
    public var namespace: String
    public var strict: Bool

    public init(rules: AggregationRules, rulesName: String, repeatCount: Int = 1,
                pod: String = "inspect", namespace: String = "inspect", strict: Bool = false) {
        self.rules = rules
        self.rulesName = rulesName
        self.repeatCount = max(1, repeatCount)
        self.pod = pod
        self.namespace = namespace
        self.strict = strict
    }

    /// The outcome: the report and the last summary (for `--format prometheus`).
    public struct Result: Sendable {
        public var report: InspectionReport
        public var summary: PodSummary
        public var firstSummary: PodSummary
        /// The last summary as it would be pushed (wire format, compressed).
        public var encodedSummary: [UInt8]
    }

    /// Inspects `bodies` as successive scrapes of one pod, `repeatCount`
    /// times, each pass with a fresh aggregator that really parses every body.
    public func run(bodies: [(name: String, bytes: [UInt8])]) throws -> Result {
        precondition(!bodies.isEmpty, "at least one body")
        var options = PodAggregator.Options()
        options.strict = strict
        let clock = ContinuousClock()
        let encoder = SummaryEncoder()

        var cold: [Duration] = [], steady: [Duration] = [], encode: [Duration] = []
        var scrapes: [InspectionReport.Scrape] = []
        var firstSummary: PodSummary? = nil
        var lastSummary: PodSummary? = nil
        var lastEncoded: EncodedSummary? = nil
        var rawSeries = 0
        var outputSeries = 0

        for pass in 0..<repeatCount {
            var aggregator = PodAggregator(pod: pod, namespace: namespace, rules: rules, options: options)
            for (i, body) in bodies.enumerated() {
                var report = ScrapeReport(bytes: 0)
                let start = clock.now
                try body.bytes.withUnsafeBytes { raw in report = try aggregator.ingest(raw) }
                let elapsed = clock.now - start
                if i == 0 { cold.append(elapsed) } else { steady.append(elapsed) }
                if pass == 0 {
                    scrapes.append(InspectionReport.Scrape(
                        name: body.name, bytes: body.bytes.count, lines: report.lines,
                        series: report.samples + report.skippedLines, families: report.familiesSeen,
                        familiesKept: report.familiesKept, samplesAggregated: report.keptSamples,
                        newSeries: report.newSeries, resets: report.resets, errors: report.errorCount,
                        firstErrors: report.errors.map(\.description)))
                    if i == 0 {
                        firstSummary = aggregator.summary(agentInstance: "inspect", sequence: 0, timestampMilliseconds: 0)
                    }
                }
            }
            let start = clock.now
            let summary = aggregator.summary(agentInstance: "inspect", sequence: UInt64(bodies.count), timestampMilliseconds: 0)
            let encoded = try encoder.encode(summary)
            encode.append(clock.now - start)
            lastSummary = summary
            lastEncoded = encoded
            rawSeries = aggregator.rawSeriesCount
            outputSeries = aggregator.outputSeriesCount
        }

        let summary = lastSummary!
        let encoded = lastEncoded!
        let first = firstSummary!
        let rawBytes = bodies.last!.bytes.count
        let coldBytes = bodies[0].bytes.count
        let steadyBytes = bodies.dropFirst().map(\.bytes.count)
        let averageSteadyBytes = steadyBytes.isEmpty ? 0 : steadyBytes.reduce(0, +) / steadyBytes.count

        let report = InspectionReport(
            rules: rulesName, scrapes: scrapes, outputSeries: outputSeries,
            outputFamilies: summary.families.map(\.name), rawSeriesCached: rawSeries,
            rawBytes: rawBytes, encodedBytes: encoded.uncompressedSize, compressedBytes: encoded.bytes.count,
            compressedPercentOfRaw: rawBytes == 0 ? 0 : 100 * Double(encoded.bytes.count) / Double(rawBytes),
            increases: Self.increases(from: first, to: summary),
            repeatCount: repeatCount,
            cold: Self.timing(cold, bytes: coldBytes),
            steady: steady.isEmpty ? nil : Self.timing(steady, bytes: averageSteadyBytes),
            encode: Self.timing(encode, bytes: nil))
        return Result(report: report, summary: summary, firstSummary: first, encodedSummary: encoded.bytes)
    }

    static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }

    static func timing(_ samples: [Duration], bytes: Int?) -> InspectionReport.Timing {
        let sorted = samples.map(seconds).sorted()
        let median = sorted.count % 2 == 1
            ? sorted[sorted.count / 2]
            : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
        return InspectionReport.Timing(
            passes: sorted.count, medianMilliseconds: median * 1000, minMilliseconds: sorted[0] * 1000,
            megabytesPerSecond: bytes.map { median > 0 ? Double($0) / median / 1e6 : 0 })
    }

    /// Per family: how much the totals grew between two summaries.
    static func increases(from first: PodSummary, to last: PodSummary) -> [InspectionReport.Increase] {
        func totals(_ family: SummaryFamily) -> (Double, Double?) {
            var total = 0.0, sum = 0.0
            for series in family.series {
                switch series.value {
                case .counter(let v): total += v.doubleValue
                case .gauge(let v): total += v
                case .histogram(let h):
                    total += h.count.doubleValue
                    sum += h.sum
                }
            }
            return (total, family.kind == .histogram ? sum : nil)
        }
        return last.families.compactMap { family in
            guard family.kind != .gauge else { return nil }
            let (end, endSum) = totals(family)
            let (start, startSum) = first.families.first { $0.name == family.name }.map(totals) ?? (0, family.kind == .histogram ? 0 : nil)
            return InspectionReport.Increase(
                family: family.name, increase: end - start,
                sumIncrease: endSum.map { $0 - (startSum ?? 0) })
        }
    }
}
