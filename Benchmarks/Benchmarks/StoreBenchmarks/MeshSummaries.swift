import SiskinAggregation
import SiskinSimulator

/// Realistic pushes for many pods without running the simulator per pod: one
/// simulated sidecar's summary (the agent pipeline's real output) is the
/// template; each pod gets its own name, workload and namespace in the label
/// values, and its counters grow push by push.
struct MeshSummaries: Sendable {
    let template: PodSummary
    let workload: String
    let namespace: String

    init(preset: Preset, rules: AggregationRules) {
        var fleet = Fleet(preset: preset, seed: 42)
        var aggregator = PodAggregator(pod: "template-pod", namespace: "template-ns", rules: rules)
        _ = try? aggregator.ingest(fleet.focus.render())
        fleet.advance(by: 60)
        _ = try? aggregator.ingest(fleet.focus.render())
        template = aggregator.summary(agentInstance: "bench", sequence: 1, timestampMilliseconds: 0)
        workload = fleet.focus.pod.workloadName
        namespace = fleet.focus.pod.namespace
    }

    var seriesCount: Int { template.seriesCount }

    static func podName(_ i: Int) -> String { "pod-\(i)" }
    static func workloadName(_ i: Int, podsPerWorkload: Int) -> String { "wl-\(i / podsPerWorkload)" }
    static func namespaceName(_ i: Int, namespaces: Int) -> String { "ns-\(i % namespaces)" }

    /// Pod `i`'s `push`-th summary (push 0 is its baseline).
    func summary(pod i: Int, push: Int, podsPerWorkload: Int, namespaces: Int, timestampMilliseconds: Int64) -> PodSummary {
        let pod = Self.podName(i)
        let wl = Self.workloadName(i, podsPerWorkload: podsPerWorkload)
        let ns = Self.namespaceName(i, namespaces: namespaces)
        func relabel(_ labels: [Label]) -> [Label] {
            labels.map { label in
                switch label.value {
                case "template-pod": Label(label.name, pod)
                case "template-ns": Label(label.name, ns)
                case workload: Label(label.name, wl)
                case namespace: Label(label.name, ns)
                default: label
                }
            }
        }
        func grow(_ v: SampleValue) -> SampleValue {
            guard case .integer(let n) = v else { return v }
            return .integer(n + UInt64(push) * (n / 50 + 1))
        }
        let families = template.families.map { family in
            SummaryFamily(name: family.name, kind: family.kind, series: family.series.map { series in
                let value: SummarySeries.Value
                switch series.value {
                case .counter(let v): value = .counter(grow(v))
                case .gauge(let g): value = .gauge(g)
                case .histogram(let h):
                    value = .histogram(HistogramValue(bounds: h.bounds, bucketCounts: h.bucketCounts.map(grow),
                                                      sum: h.sum * Double(push + 1), count: grow(h.count)))
                }
                return SummarySeries(labels: relabel(series.labels), value: value)
            })
        }
        return PodSummary(pod: pod, namespace: ns, agentInstance: "agent-\(i)", sequence: UInt64(push + 1),
                          timestampMilliseconds: timestampMilliseconds, families: families)
    }
}
