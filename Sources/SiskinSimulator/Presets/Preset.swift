/// Ready-made single-pod scenarios whose scrapes have a known, realistic size; they feed
/// the unit tests (small), fidelity tests (medium) and load tests (large).
///
/// Size comes from the number of distinct label combinations the focus pod has seen:
/// every HTTP combination prints 67 istio lines (1 counter + 3 histograms × 22 lines), each
/// about 900 bytes. Measured after the preset's warm-up, seed 42 (release build):
///
/// | preset | bytes       | lines  | series (sample lines) | Istio label sets | render (release) |
/// |--------|-------------|--------|-----------------------|------------------|------------------|
/// | small  | 88,620      | 500    | 310                   | 3 (fixture-like) | < 0.1 ms         |
/// | medium | 3,006,195   | 4,929  | 4,727                 | 47 (1 TCP)       | ~4 ms            |
/// | large  | 7,478,819   | 11,562 | 11,360                | 117 (1 TCP)      | ~5 ms (0.7 ms into a reused buffer) |
///
/// Istio lines average ~913 bytes in the large preset and make up 95 % of its bytes.
/// (`ExpositionStats(measuring:)` recomputes these; `PresetSizeTests` pins the ranges.)
public enum Preset: String, Sendable, Hashable, CaseIterable {
    /// The fixture's scale: the ingress gateway calling podinfo; only
    /// `istio_requests_total` and `istio_request_duration_milliseconds` enabled, a handful of
    /// Envoy clusters. Tens of KB.
    case small
    /// A podinfo primary pod in a canary mesh with 8 client workloads and 2 backends;
    /// about 3 MB per scrape.
    case medium
    /// A podinfo primary pod with 21 client workloads, 8 backends and many other mesh
    /// services; about 7.5 MB and 11.4k series lines per scrape, almost all Istio lines.
    case large

    /// The mesh the focus pod lives in.
    public var topology: MeshTopology {
        switch self {
        case .small: .fixtureScale()
        case .medium: .podinfoCanary(clients: 8, backends: 2, bystanders: 6)
        case .large: .podinfoCanary(clients: 21, backends: 8, bystanders: 22)
        }
    }

    /// The workload whose first pod is dumped.
    public var focusWorkload: String {
        switch self {
        case .small: "podinfo"
        case .medium, .large: "podinfo-primary"
        }
    }

    /// Proxy settings of the preset.
    public var options: SidecarOptions {
        switch self {
        case .small:
            SidecarOptions(
                istioMetrics: [.requests, .requestDuration],
                infrastructureClusters: ["prometheus_stats", "xds-grpc"],
                outboundClustersForAllServices: false)
        case .medium, .large:
            SidecarOptions()
        }
    }

    /// Traffic simulated before the first scrape so every label combination already
    /// exists and counters look like a pod that has been up for a while.
    public var warmupSeconds: Double { 900 }
}

extension Fleet {
    /// A fleet for `preset`: by default only the focus pod is simulated (cheapest, and its
    /// scrape is the same either way), warmed up by `preset.warmupSeconds`.
    public init(preset: Preset, seed: UInt64, simulating selection: PodSelection? = nil, warmUp: Bool = true) {
        self.init(
            topology: preset.topology, seed: seed,
            simulating: selection ?? .firstPod(ofWorkload: preset.focusWorkload), options: preset.options)
        if let index = sidecars.firstIndex(where: { $0.pod.workloadName == preset.focusWorkload && $0.pod.index == 0 }) {
            focusIndex = index
        }
        if warmUp {
            advance(by: preset.warmupSeconds)
        }
    }
}
