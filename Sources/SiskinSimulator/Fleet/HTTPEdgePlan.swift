/// Everything about an edge that does not change between intervals, computed once when a
/// fleet is built: labels, samplers, and where each pod's sidecar records the traffic.
struct HTTPEdgePlan: Sendable {
    struct Outcome: Sendable {
        let reachesDestination: Bool
        let sourceDuration: HistogramSampler
        let destinationDuration: HistogramSampler
        let requestSize: HistogramSampler
        let responseSize: HistogramSampler
        /// Series slot in the source pod's sidecar, per source pod (-1: not simulated).
        let sourceSlots: [Int]
        /// Series slot in the destination pod's sidecar, per destination pod.
        let destinationSlots: [Int]
    }

    let edgeIndex: Int
    /// Requests per second per pod pair; `Fleet.setRequestsPerSecond` changes it.
    var ratePerPodPair: Double
    /// Sidecar index per source pod (nil: pod not simulated).
    let sourceSidecars: [Int?]
    let destinationSidecars: [Int?]
    let sourceRoutes: [EnvoyRoute]
    let destinationRoutes: [EnvoyRoute]
    let outcomes: [Outcome]
    let weights: [Double]
}
