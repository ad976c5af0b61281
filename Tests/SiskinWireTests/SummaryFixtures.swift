import SiskinAggregation

/// Envoy's (and Istio's) default histogram bounds: 19 finite buckets.
let envoyBounds: [Double] = [
    0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300_000, 600_000, 1_800_000,
    3_600_000,
]

/// A small summary touching every part of the model, with edge values.
func edgeCaseSummary() -> PodSummary {
    let nan = Double(bitPattern: 0x7FF8_0000_0000_0001)  // quiet NaN with a payload
    let negativeNaN = -Double.nan
    let tricky = "quote \" backslash \\ newline \n tab \t nul \u{0} é 日本語 🚀"
    return PodSummary(
        pod: "reviews-v2-7d8f9c-abcde", namespace: "bookinfo",
        podLabels: [Label("app", "reviews"), Label("pod-template-hash", "7d8f9c"), Label("version", "v2")],
        agentInstance: "0f7c3a2e-9a41-4c55-b7f1-5e1d2a3b4c5d", sequence: .max, timestampMilliseconds: -1,
        metadata: [Label("agent_version", "0.1.0"), Label("scrape_duration_ms", "12"), Label("", "")],
        families: [
            SummaryFamily(name: "empty_counter_family", kind: .counter, series: []),
            SummaryFamily(
                name: "istio_requests_total", kind: .counter,
                series: [
                    SummarySeries(labels: [Label("response_code", "200")], value: .counter(.integer(.max))),
                    SummarySeries(labels: [Label("response_code", "503")], value: .counter(.integer(0))),
                    SummarySeries(labels: [Label("response_code", "")], value: .counter(.float(1.5))),
                    SummarySeries(labels: [Label("weird", tricky)], value: .counter(.float(nan))),
                    SummarySeries(labels: [], value: .counter(.float(-0.0))),
                    SummarySeries(labels: [Label("big", "2^53+1")], value: .counter(.integer((1 << 53) + 1))),
                ]),
            SummaryFamily(
                name: "envoy_server_state", kind: .gauge,
                series: [
                    SummarySeries(labels: [], value: .gauge(nan)),
                    SummarySeries(labels: [Label("s", "+inf")], value: .gauge(.infinity)),
                    SummarySeries(labels: [Label("s", "-inf")], value: .gauge(-.infinity)),
                    SummarySeries(labels: [Label("s", "-nan")], value: .gauge(negativeNaN)),
                    SummarySeries(labels: [Label("s", "-0")], value: .gauge(-0.0)),
                    SummarySeries(labels: [Label("s", "min")], value: .gauge(.leastNonzeroMagnitude)),
                    SummarySeries(labels: [Label("s", "max")], value: .gauge(.greatestFiniteMagnitude)),
                ]),
            SummaryFamily(
                name: "istio_request_duration_milliseconds", kind: .histogram,
                series: [
                    // Envoy's bounds, monotone integers: delta-encoded.
                    SummarySeries(
                        labels: [Label("response_code", "200")],
                        value: .histogram(HistogramValue(
                            bounds: envoyBounds,
                            bucketCounts: (0...19).map { .integer(UInt64($0 * $0)) },
                            sum: 389_596.47, count: .integer(361)))),
                    // Different bounds; non-monotone floats: tagged fallback;
                    // NaN sum; count different from the +Inf bucket.
                    SummarySeries(
                        labels: [Label("response_code", "503")],
                        value: .histogram(HistogramValue(
                            bounds: [-1, 0, 0.25],
                            bucketCounts: [.float(3.5), .integer(2), .float(.nan), .integer(.max)],
                            sum: .nan, count: .integer(7)))),
                    // No finite bounds at all; infinite sum; float count.
                    SummarySeries(
                        labels: [Label("response_code", "504")],
                        value: .histogram(HistogramValue(
                            bounds: [], bucketCounts: [.integer(4)], sum: .infinity, count: .float(4)))),
                    // Monotone integers up to UInt64.max; -Inf sum.
                    SummarySeries(
                        labels: [],
                        value: .histogram(HistogramValue(
                            bounds: [1, 2], bucketCounts: [.integer(0), .integer(.max - 1), .integer(.max)],
                            sum: -.infinity, count: .integer(.max)))),
                    // NaN count equal (bitwise) to a NaN +Inf bucket.
                    SummarySeries(
                        labels: [Label("le_like", "0.5")],
                        value: .histogram(HistogramValue(
                            bounds: [1], bucketCounts: [.float(1), .float(nan)], sum: 0, count: .float(nan)))),
                ]),
            SummaryFamily(name: "", kind: .gauge, series: [SummarySeries(labels: [Label("", "")], value: .gauge(0))]),
            SummaryFamily(name: "empty_histogram_family", kind: .histogram, series: []),
        ])
}

// MARK: Istio-like summaries

/// The 21 standard Istio labels of `istio_requests_total` and friends, sorted.
let istioLabelNames = [
    "connection_security_policy", "destination_app", "destination_canonical_revision",
    "destination_canonical_service", "destination_cluster", "destination_principal", "destination_service",
    "destination_service_name", "destination_service_namespace", "destination_version", "destination_workload",
    "destination_workload_namespace", "reporter", "request_protocol", "response_code", "response_flags",
    "source_app", "source_canonical_service", "source_principal", "source_workload",
    "source_workload_namespace",
]

/// Label values for one (peer, outcome) combination of a `reviews-v2` pod:
/// inbound (reporter=destination) from many callers, outbound to its backends.
private func istioLabels(peer: Int, outcome: Int) -> [Label] {
    let callers = [
        ("productpage", "bookinfo", "v1"), ("istio-ingressgateway", "istio-system", "latest"),
        ("frontend", "shop", "v3"), ("checkout", "shop", "v2"), ("recommendations", "shop", "v1"),
        ("api-gateway", "edge", "2024-11-03"), ("batch-reporter", "analytics", "v7"),
        ("loadgenerator", "perf", "v1"), ("mobile-bff", "edge", "v12"), ("search", "catalog", "v4"),
    ]
    let backends = [
        ("ratings", "bookinfo", "v1"), ("details", "bookinfo", "v1"), ("redis-cart", "shop", "v6"),
        ("postgres-proxy", "data", "v15"), ("auth", "identity", "v9"),
    ]
    let outcomes = [
        ("200", "-"), ("201", "-"), ("204", "-"), ("404", "-"), ("503", "UH"), ("503", "URX"), ("504", "UT"),
        ("500", "-"), ("0", "DC"), ("403", "-"),
    ]
    let inbound = peer < callers.count
    let me = ("reviews", "bookinfo", "v2")
    let (source, destination) = inbound ? (callers[peer], me) : (me, backends[(peer - callers.count) % backends.count])
    let (code, flags) = outcomes[outcome % outcomes.count]
    let values = [
        "mutual_tls", destination.0, destination.2, destination.0, "Kubernetes",
        "spiffe://cluster.local/ns/\(destination.1)/sa/\(destination.0)",
        "\(destination.0).\(destination.1).svc.cluster.local", destination.0, destination.1, destination.2,
        "\(destination.0)-\(destination.2)", destination.1, inbound ? "destination" : "source",
        peer % 3 == 2 ? "grpc" : "http", code, flags, source.0, source.0,
        "spiffe://cluster.local/ns/\(source.1)/sa/\(source.0)", "\(source.0)-\(source.2)", source.1,
    ]
    return zip(istioLabelNames, values).map { Label($0, $1) }
}

/// A cumulative histogram with plausible latency / size shape.
private func istioHistogram(total: UInt64, centre: Int, integralSum: Bool, using rng: inout SeededRandom) -> HistogramValue {
    var increments = [UInt64](repeating: 0, count: envoyBounds.count + 1)
    var left = total
    // Most observations land near the centre bucket, a tail goes higher.
    for offset in [0, -1, 1, 2, -2, 3, 4] where left > 0 {
        let bucket = min(max(centre + offset, 0), envoyBounds.count)
        let share = offset == 4 ? left : UInt64.random(in: 0...left, using: &rng) / 2 + (offset == 0 ? left / 3 : 0)
        let taken = min(share, left)
        increments[bucket] += taken
        left -= taken
    }
    increments[envoyBounds.count] += left
    var cumulative: UInt64 = 0
    let buckets = increments.map { increment -> SampleValue in
        cumulative += increment
        return .integer(cumulative)
    }
    let mean = centre < envoyBounds.count ? envoyBounds[centre] * 0.7 : 5_000_000
    let sum = Double(total) * mean * Double.random(in: 0.8...1.2, using: &rng)
    return HistogramValue(
        bounds: envoyBounds, bucketCounts: buckets,
        sum: integralSum ? sum.rounded() : (sum * 100).rounded() / 100, count: .integer(cumulative))
}

/// `combinations` label combinations, each with an `istio_requests_total`
/// counter and three histograms (duration, request bytes, response bytes)
/// on Envoy's 19 bounds, plus a few Envoy server gauges.
func istioSummary(combinations: Int, seed: UInt64 = 42) -> PodSummary {
    var rng = SeededRandom(seed: seed)
    let peers = 15
    let labelSets = (0..<combinations).map { istioLabels(peer: $0 % peers, outcome: $0 / peers) }
    let totals = labelSets.map { _ in UInt64.random(in: 1...2_000_000, using: &rng) }
    func histograms(centre: ClosedRange<Int>, integralSum: Bool) -> [SummarySeries] {
        zip(labelSets, totals).map { labels, total in
            let histogram = istioHistogram(
                total: total, centre: Int.random(in: centre, using: &rng), integralSum: integralSum, using: &rng)
            return SummarySeries(labels: labels, value: .histogram(histogram))
        }
    }
    return PodSummary(
        pod: "reviews-v2-5c7d9f8b6d-x2k4p", namespace: "bookinfo",
        podLabels: [
            Label("app", "reviews"), Label("pod-template-hash", "5c7d9f8b6d"),
            Label("security.istio.io/tlsMode", "istio"), Label("service.istio.io/canonical-name", "reviews"),
            Label("service.istio.io/canonical-revision", "v2"), Label("version", "v2"),
        ],
        agentInstance: "6b1f0e52-3c1d-4d8e-9a0b-7f2e4c6d8a10", sequence: 1234, timestampMilliseconds: 1_732_752_000_123,
        metadata: [Label("agent_version", "0.1.0"), Label("raw_lines", "11021")],
        families: [
            SummaryFamily(
                name: "istio_requests_total", kind: .counter,
                series: zip(labelSets, totals).map { SummarySeries(labels: $0, value: .counter(.integer($1))) }),
            SummaryFamily(
                name: "istio_request_duration_milliseconds", kind: .histogram,
                series: histograms(centre: 2...7, integralSum: false)),
            SummaryFamily(
                name: "istio_request_bytes", kind: .histogram, series: histograms(centre: 5...9, integralSum: true)),
            SummaryFamily(
                name: "istio_response_bytes", kind: .histogram, series: histograms(centre: 6...12, integralSum: true)),
            SummaryFamily(
                name: "envoy_server_live", kind: .gauge, series: [SummarySeries(labels: [], value: .gauge(1))]),
            SummaryFamily(
                name: "envoy_server_memory_allocated", kind: .gauge,
                series: [SummarySeries(labels: [], value: .gauge(48_732_160))]),
        ])
}

/// The Prometheus text exposition the summary's series would take, one line
/// per sample as Envoy writes it: the raw size the summary replaces.
func renderedExpositionSize(_ summary: PodSummary) -> Int {
    func labelText(_ labels: [Label], extra: String? = nil) -> String {
        var parts = labels.map { "\($0.name)=\"\($0.value)\"" }
        if let extra { parts.append(extra) }
        return parts.isEmpty ? "" : "{" + parts.joined(separator: ",") + "}"
    }
    var size = 0
    for family in summary.families {
        size += "# TYPE \(family.name) \(family.kind)\n".utf8.count
        for series in family.series {
            switch series.value {
            case .counter(let value):
                size += "\(family.name)\(labelText(series.labels)) \(value)\n".utf8.count
            case .gauge(let value):
                size += "\(family.name)\(labelText(series.labels)) \(SampleValue.format(value))\n".utf8.count
            case .histogram(let histogram):
                for (index, bucket) in histogram.bucketCounts.enumerated() {
                    let le = index < histogram.bounds.count ? SampleValue.format(histogram.bounds[index]) : "+Inf"
                    size += "\(family.name)_bucket\(labelText(series.labels, extra: "le=\"\(le)\"")) \(bucket)\n".utf8.count
                }
                size += "\(family.name)_sum\(labelText(series.labels)) \(SampleValue.format(histogram.sum))\n".utf8.count
                size += "\(family.name)_count\(labelText(series.labels)) \(histogram.count)\n".utf8.count
            }
        }
    }
    return size
}

// MARK: Random summaries

/// Random but valid summaries, biased towards edge cases: special doubles and
/// random bit patterns (NaN payloads), integers at every magnitude, unicode
/// and escape characters, empty strings, shared and unshared label and bound
/// sets, monotone and non-monotone buckets.
struct RandomSummaryGenerator {
    var rng: SeededRandom

    init(seed: UInt64) { rng = SeededRandom(seed: seed) }

    private static let fragments = [
        "", "a", "pod", "é", "日本語", "🚀", "\"", "\\", "\n", "\t", "\u{0}", "{", "}", "=", ",", "le", "+Inf",
        "spiffe://cluster.local/ns/x/sa/y", "\u{FEFF}", "e\u{301}", "\u{10FFFF}",
    ]

    mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &rng) }
    mutating func chance(_ percent: Int) -> Bool { int(0...99) < percent }

    mutating func string() -> String {
        if chance(5) { return String(repeating: "x", count: int(100...2000)) }
        return (0..<int(0...4)).map { _ in Self.fragments.randomElement(using: &rng)! }.joined()
    }

    mutating func labels(maxCount: Int = 6) -> [Label] {
        (0..<int(0...maxCount)).map { _ in Label(string(), string()) }
    }

    mutating func double() -> Double {
        switch int(0...9) {
        case 0: return [.nan, -.nan, .infinity, -.infinity, 0, -0.0, .leastNonzeroMagnitude,
                        .greatestFiniteMagnitude, .ulpOfOne].randomElement(using: &rng)!
        case 1, 2: return Double(bitPattern: rng.next())  // includes NaNs with payloads
        case 3, 4: return Double(int(0...1_000_000))
        default: return Double.random(in: -1e6...1e6, using: &rng)
        }
    }

    mutating func integer() -> UInt64 {
        switch int(0...4) {
        case 0: return [0, 1, 127, 128, 16383, 16384, .max, .max - 1, 1 << 63].randomElement(using: &rng)!
        case 1: return rng.next()
        default: return rng.next() >> UInt64(int(1...63))
        }
    }

    mutating func sample() -> SampleValue { chance(75) ? .integer(integer()) : .float(double()) }

    mutating func bounds() -> [Double] {
        var values = Set<Double>()
        for _ in 0..<int(0...25) {
            let value = chance(50) ? Double(int(-100...100_000)) / 4 : Double.random(in: -1e9...1e9, using: &rng)
            values.insert(value == 0 ? 0 : value)
        }
        return values.sorted()
    }

    mutating func histogram(bounds: [Double]) -> HistogramValue {
        let count = bounds.count + 1
        var buckets: [SampleValue]
        if chance(60) {
            var running: UInt64 = 0
            buckets = (0..<count).map { _ in
                let step = chance(30) ? 0 : integer() >> UInt64(int(8...63))
                let (next, overflow) = running.addingReportingOverflow(step)
                if !overflow { running = next }
                return .integer(running)
            }
        } else {
            buckets = (0..<count).map { _ in sample() }
        }
        let total: SampleValue = chance(50) ? buckets[count - 1] : sample()
        return HistogramValue(bounds: bounds, bucketCounts: buckets, sum: double(), count: total)
    }

    mutating func summary() -> PodSummary {
        let sharedLabelSets = (0..<int(1...4)).map { _ in labels() }
        let sharedBounds = [envoyBounds] + (0..<int(0...2)).map { _ in bounds() }
        var families: [SummaryFamily] = []
        for _ in 0..<int(0...7) {
            let kind = MetricKind.allCases.randomElement(using: &rng)!
            var series: [SummarySeries] = []
            for _ in 0..<int(0...15) {
                let labels = chance(60) ? sharedLabelSets.randomElement(using: &rng)! : labels()
                let value: SummarySeries.Value
                switch kind {
                case .counter: value = .counter(sample())
                case .gauge: value = .gauge(double())
                case .histogram:
                    value = .histogram(histogram(bounds: chance(70) ? sharedBounds.randomElement(using: &rng)! : bounds()))
                }
                series.append(SummarySeries(labels: labels, value: value))
            }
            families.append(SummaryFamily(name: string(), kind: kind, series: series))
        }
        return PodSummary(
            pod: string(), namespace: string(), podLabels: labels(), agentInstance: string(),
            sequence: integer(), timestampMilliseconds: Int64(bitPattern: rng.next()) >> Int64(int(0...63)),
            metadata: labels(), families: families)
    }
}
