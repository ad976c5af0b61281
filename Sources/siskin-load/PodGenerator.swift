import SiskinAgent
import SiskinAggregation
import SiskinSimulator

/// One simulated agent: produces its pod's successive cumulative summaries.
///
/// Starts from its workload's template, scaled (pods started at different
/// times, so their totals differ), and adds one push interval of traffic per
/// summary: each value grows by its template rate times a per-pod traffic
/// share times per-push noise, rounded stochastically so rare series grow at
/// the right average. Cumulative buckets get the same factor and the same
/// rounding offset, so they never decrease, and `_count` is the `+Inf`
/// bucket, as Envoy prints it. Identity and metadata are those a real agent
/// sends: pod, namespace, pod labels, a random instance id, sequence 1, 2, ...
/// and timestamps one interval apart.
struct PodGenerator: Sendable {
    let template: PodTemplate
    let pod: String
    let namespace: String
    let podLabels: [Label]
    let agentInstance: String
    private var integers: [UInt64]
    private var doubles: [Double]
    /// This pod's share of its workload's traffic relative to the template pod.
    private let trafficFactor: Double
    private var rng: Xoshiro256StarStar
    private let firstTimestamp: Int64
    private let intervalMilliseconds: Int64
    /// Summaries produced so far.
    private(set) var produced: UInt64 = 0
    /// Bytes of the summaries encoded so far (agent metadata).
    private var pushedBytes = 0

    init(
        template: PodTemplate, pod: Pod, workload: Workload, agentInstance: String, firstTimestamp: Int64,
        intervalMilliseconds: Int64, seed: UInt64
    ) {
        self.template = template
        self.pod = pod.name
        self.namespace = pod.namespace
        self.agentInstance = agentInstance
        self.firstTimestamp = firstTimestamp
        self.intervalMilliseconds = intervalMilliseconds
        var rng = Xoshiro256StarStar(seed: seed)

        // What the downward API labels file of a Deployment's pod holds.
        let templateHash = pod.name.dropFirst(workload.name.count + 1).split(separator: "-").first.map(String.init) ?? ""
        self.podLabels = [
            Label("app", workload.app),
            Label("pod-template-hash", templateHash),
            Label("security.istio.io/tlsMode", "istio"),
            Label("service.istio.io/canonical-name", workload.canonicalService),
            Label("service.istio.io/canonical-revision", workload.canonicalRevision),
            Label("version", workload.version),
        ]

        // Uptime relative to the template pod: 30 % ... 100 % of its totals.
        // Scaling every bucket by one factor, rounding down, keeps them ordered.
        let age = 0.3 + 0.7 * rng.nextUnit()
        self.integers = template.integers.map { UInt64(Double($0) * age) }
        var doubles = template.doubles
        for case .histogram(_, _, let sum) in template.values { doubles[sum] *= age }
        self.doubles = doubles
        self.trafficFactor = 0.7 + 0.6 * rng.nextUnit()
        self.rng = rng
    }

    /// Moves to the next summary. The first is the pod's state when its
    /// agent starts (the aggregator's baseline); each later one is one
    /// interval of traffic later.
    mutating func step() {
        if produced > 0 { advance() }
        produced += 1
    }

    /// The current summary's sequence number (1, 2, ...).
    var sequence: UInt64 { produced }

    /// The current summary's timestamp: one interval per push after the first.
    var timestampMilliseconds: Int64 { firstTimestamp + Int64(produced - 1) * intervalMilliseconds }

    /// Values of `FastFrameWriter.dynamicMetadata` for the current summary.
    var dynamicMetadataValues: [String] { [String(produced), String(produced - 1), String(pushedBytes)] }

    /// The flat value arrays laid out as `template.values` says.
    func withValues<R>(_ body: ([UInt64], [Double]) -> R) -> R { body(integers, doubles) }

    /// The current summary as the model the encoders take. With
    /// `placeholders`, the dynamic metadata carries
    /// `FastFrameWriter.placeholders` instead (for the writer's reference).
    func summary(placeholders: Bool = false) -> PodSummary {
        var families: [SummaryFamily] = []
        families.reserveCapacity(template.families.count)
        for family in template.families {
            var series: [SummarySeries] = []
            series.reserveCapacity(family.series.count)
            for index in family.series {
                series.append(SummarySeries(labels: labels(of: index), value: value(of: template.values[index])))
            }
            families.append(SummaryFamily(name: family.name, kind: family.kind, series: series))
        }
        return PodSummary(
            pod: pod, namespace: namespace, podLabels: podLabels, agentInstance: agentInstance, sequence: sequence,
            timestampMilliseconds: timestampMilliseconds,
            metadata: metadata(dynamic: placeholders ? FastFrameWriter.placeholders : dynamicMetadataValues),
            families: families)
    }

    /// The template's labels of series `index` with this pod's name in the
    /// pod label. Built when needed, not kept: only `SummaryEncoder` frames
    /// (a pod's first few) need them, and thousands of pods' copies would
    /// take gigabytes.
    private func labels(of index: Int) -> [Label] {
        guard let position = template.podLabelPositions[index] else { return template.labels[index] }
        var labels = template.labels[index]
        labels[position].value = pod
        return labels
    }

    /// Records the encoded size of the current summary (it goes into the
    /// next one's metadata, as the agent's push byte counter does).
    mutating func recordEncoded(bytes: Int) {
        pushedBytes += bytes
    }

    /// One interval of traffic.
    private mutating func advance() {
        let factor = trafficFactor * (0.85 + 0.3 * rng.nextUnit())
        for value in template.values {
            switch value {
            case .counter(let offset):
                integers[offset] &+= UInt64(template.integerRates[offset] * factor + rng.nextUnit())
            case .histogram(let offset, let bounds, let sum):
                // One offset for all buckets keeps the increments ordered.
                let offsetInUnit = rng.nextUnit()
                var added: UInt64 = 0
                for index in offset...(offset + bounds.count) {
                    added = UInt64(template.integerRates[index] * factor + offsetInUnit)
                    integers[index] &+= added
                }
                doubles[sum] += template.meanObservations[sum] * Double(added)
            case .gauge:
                break
            }
        }
    }

    private func value(of value: PodTemplate.Value) -> SummarySeries.Value {
        switch value {
        case .counter(let offset):
            return .counter(.integer(integers[offset]))
        case .gauge(let index):
            return .gauge(doubles[index])
        case .histogram(let offset, let bounds, let sum):
            let buckets = integers[offset...(offset + bounds.count)].map { SampleValue.integer($0) }
            return .histogram(HistogramValue(bounds: bounds, bucketCounts: buckets, sum: doubles[sum], count: buckets[bounds.count]))
        }
    }

    /// The self-telemetry a real agent sends: the aggregator stores and
    /// shows it, so it is part of the realistic payload. `dynamic` holds the
    /// values of `FastFrameWriter.dynamicMetadata`, in that order.
    private func metadata(dynamic: [String]) -> [Label] {
        [
            Label("agent_version", AgentVersion.current),
            Label(FastFrameWriter.dynamicMetadata[0], dynamic[0]),
            Label("agent_scrape_failures_total", "0"),
            Label("agent_parse_errors_total", "0"),
            Label("agent_envoy_restarts_total", "0"),
            Label(FastFrameWriter.dynamicMetadata[1], dynamic[1]),
            Label("agent_push_failures_total", "0"),
            Label(FastFrameWriter.dynamicMetadata[2], dynamic[2]),
            Label("agent_superseded_total", "0"),
            Label("agent_scrape_bytes", String(template.scrapeBytes)),
            Label("agent_scrape_wire_bytes", String(template.scrapeBytes)),
            Label("agent_scrape_seconds", "0.004"),
            Label("agent_raw_series", String(template.rawSeries)),
            Label("load_generator", "siskin-load"),
        ]
    }

    /// A random 128-bit agent instance id in hex, like the agent's: every run
    /// is a new set of agents.
    static func randomInstanceID() -> String {
        var generator = SystemRandomNumberGenerator()
        let hex = Array("0123456789abcdef".utf8)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(32)
        for _ in 0..<2 {
            var word = generator.next()
            for _ in 0..<16 {
                bytes.append(hex[Int(word & 0xF)])
                word >>= 4
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
