import SiskinAggregation
import SiskinSimulator
import SiskinSync
import Synchronization

/// One workload's summary exactly as the agent pipeline produces it (the
/// simulator's Envoy text run through `PodAggregator`), plus how fast each
/// value grows: the model every pod of that workload is generated from.
///
/// Running the simulator and the aggregator for every pod and every push
/// would cost far more than the aggregator under test, so they run once per
/// workload: long enough to create every label combination (warm-up), then a
/// measured window whose increases give each value's rate. Pods then advance
/// their own copy by those rates (see `PodGenerator`).
struct PodTemplate: Sendable {
    /// Where a series' values live in the flat value arrays.
    enum Value: Sendable {
        /// `integers[offset]`.
        case counter(offset: Int)
        /// Cumulative buckets (`+Inf` last) at `integers[offset...]`, the sum
        /// at `doubles[sum]`.
        case histogram(offset: Int, bounds: [Double], sum: Int)
        /// `doubles[index]`, constant.
        case gauge(index: Int)
    }

    struct Family: Sendable {
        var name: String
        var kind: MetricKind
        /// Indexes into `labels` and `values`.
        var series: Range<Int>
    }

    let families: [Family]
    /// Per series, sorted by name as the aggregator emits them.
    let labels: [[Label]]
    let values: [Value]
    /// Per series, where the pod label sits in `labels` (each pod puts its
    /// own name there).
    let podLabelPositions: [Int?]
    /// Counters and buckets at the end of the warm-up.
    let integers: [UInt64]
    /// Expected increase of each integer per push interval.
    let integerRates: [Double]
    /// Histogram sums at the end of the warm-up, and gauges.
    let doubles: [Double]
    /// For a histogram sum: the mean observation, so a push's sum grows with
    /// the observations it adds. Zero for gauges.
    let meanObservations: [Double]
    /// Raw series the template pod's Envoy printed (for the agent metadata).
    let rawSeries: Int
    /// Size of the template pod's scrape (for the agent metadata).
    let scrapeBytes: Int

    var seriesCount: Int { labels.count }

    /// Simulated traffic before the first summary: creates every label
    /// combination, even the rare 503s, and gives counters realistic values.
    static let warmUpSeconds = 1_800.0
    /// Window whose increases give the rates. Long enough that a rare
    /// outcome's rate is not rounded to zero by one quiet interval.
    static let rateWindowSeconds = 120.0

    /// One template per `mesh.workloads` entry, from the first pod of each.
    ///
    /// The fleet advances on one thread (its traffic is one deterministic
    /// stream); rendering and aggregating the template pods, most of the
    /// work, is spread over `threads`.
    static func build(
        mesh: LoadMesh, rules: AggregationRules, intervalSeconds: Double, seed: UInt64, threads: Int
    ) throws -> [PodTemplate] {
        let focus = mesh.workloads.map { $0.pods[0] }
        // Only the Istio families are aggregated; few Envoy clusters keep
        // rendering cheap without changing the summaries.
        let options = SidecarOptions(
            istioMetrics: .all, infrastructureClusters: ["prometheus_stats", "xds-grpc"],
            outboundClustersForAllServices: false)
        var fleet = Fleet(topology: mesh.topology, seed: seed, simulating: .pods(focus.map(\.name)), options: options)
        fleet.advance(by: warmUpSeconds)
        let before = focus.map { fleet.sidecar(pod: $0.name) }
        fleet.advance(by: rateWindowSeconds)
        let after = focus.map { fleet.sidecar(pod: $0.name) }

        let results = Mutex([PodTemplate?](repeating: nil, count: focus.count))
        let workers = max(1, min(threads, focus.count))
        var running: [WorkerThread] = []
        for worker in 0..<workers {
            running.append(try WorkerThread(name: "template-\(worker)") {
                var body: [UInt8] = []
                for index in stride(from: worker, to: focus.count, by: workers) {
                    guard let first = before[index], let second = after[index] else { continue }
                    var aggregator = PodAggregator(pod: focus[index].name, namespace: focus[index].namespace, rules: rules)
                    func summary(of sidecar: Sidecar) -> (PodSummary, Int) {
                        body.removeAll(keepingCapacity: true)
                        sidecar.render(into: &body)
                        // Lenient mode never throws; the simulator prints valid text.
                        _ = try? aggregator.ingest(body)
                        return (aggregator.summary(agentInstance: "template", sequence: 0, timestampMilliseconds: 0), body.count)
                    }
                    let (earlier, _) = summary(of: first)
                    let (later, bytes) = summary(of: second)
                    let template = PodTemplate(
                        before: earlier, after: later, podLabel: rules.podLabel,
                        scale: intervalSeconds / rateWindowSeconds, rawSeries: aggregator.rawSeriesCount, scrapeBytes: bytes)
                    results.locked { $0[index] = template }
                }
            })
        }
        for thread in running { thread.join() }
        let templates = results.locked { $0 }.compactMap { $0 }
        guard templates.count == focus.count else { throw LoadError("the simulator lost a template pod") }
        return templates
    }

    /// The template from two summaries of one pod `1 / scale` intervals apart.
    init(before: PodSummary, after: PodSummary, podLabel: String, scale: Double, rawSeries: Int, scrapeBytes: Int) {
        struct Key: Hashable {
            var family: String
            var labels: [Label]
        }
        var earlier: [Key: SummarySeries.Value] = [:]
        for family in before.families {
            for series in family.series { earlier[Key(family: family.name, labels: series.labels)] = series.value }
        }

        var families: [Family] = []
        var labels: [[Label]] = []
        var values: [Value] = []
        var positions: [Int?] = []
        var integers: [UInt64] = []
        var integerRates: [Double] = []
        var doubles: [Double] = []
        var meanObservations: [Double] = []
        func rate(_ now: UInt64, _ then: UInt64) -> Double { now > then ? Double(now - then) * scale : 0 }

        for family in after.families {
            let first = labels.count
            for series in family.series {
                let previous = earlier[Key(family: family.name, labels: series.labels)]
                switch series.value {
                case .counter(let value):
                    values.append(.counter(offset: integers.count))
                    let now = Self.integer(value)
                    integers.append(now)
                    if case .counter(let old) = previous {
                        integerRates.append(rate(now, Self.integer(old)))
                    } else {
                        integerRates.append(Double(now) * scale)
                    }
                case .gauge(let value):
                    values.append(.gauge(index: doubles.count))
                    doubles.append(value)
                    meanObservations.append(0)
                case .histogram(let histogram):
                    values.append(.histogram(offset: integers.count, bounds: histogram.bounds, sum: doubles.count))
                    var old: HistogramValue?
                    if case .histogram(let candidate) = previous, candidate.bounds == histogram.bounds { old = candidate }
                    // Buckets are made non-decreasing so every later push stays
                    // a valid cumulative histogram.
                    var floor: UInt64 = 0
                    for (bucket, count) in histogram.bucketCounts.enumerated() {
                        let now = max(Self.integer(count), floor)
                        floor = now
                        integers.append(now)
                        integerRates.append(rate(now, old.map { Self.integer($0.bucketCounts[bucket]) } ?? 0))
                    }
                    doubles.append(histogram.sum)
                    let observations = Double(floor)
                    meanObservations.append(observations > 0 ? max(0, histogram.sum) / observations : 0)
                }
                labels.append(series.labels)
                positions.append(series.labels.firstIndex { $0.name == podLabel })
            }
            families.append(Family(name: family.name, kind: family.kind, series: first..<labels.count))
        }
        // Rates of cumulative buckets must not decrease either, or scaled
        // increments could break the bucket order.
        for value in values {
            guard case .histogram(let offset, let bounds, _) = value else { continue }
            for index in (offset + 1)..<(offset + bounds.count + 1) {
                integerRates[index] = max(integerRates[index], integerRates[index - 1])
            }
        }

        self.families = families
        self.labels = labels
        self.values = values
        self.podLabelPositions = positions
        self.integers = integers
        self.integerRates = integerRates
        self.doubles = doubles
        self.meanObservations = meanObservations
        self.rawSeries = rawSeries
        self.scrapeBytes = scrapeBytes
    }

    /// Envoy counters are integers; a fractional reading is rounded down.
    private static func integer(_ value: SampleValue) -> UInt64 {
        switch value {
        case .integer(let v): return v
        case .float(let v): return v.isFinite && v > 0 ? UInt64(min(v, 1.8e19)) : 0
        }
    }
}
