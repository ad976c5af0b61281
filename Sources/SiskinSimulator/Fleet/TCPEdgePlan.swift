/// The TCP counterpart of `HTTPEdgePlan`.
struct TCPEdgePlan: Sendable {
    let edgeIndex: Int
    let connectionsPerPodPair: Double
    let meanConnectionSeconds: Double
    let sentBytes: HistogramSampler
    let receivedBytes: HistogramSampler
    let sourceSidecars: [Int?]
    let destinationSidecars: [Int?]
    let sourceRoutes: [EnvoyRoute]
    let destinationRoutes: [EnvoyRoute]
    let sourceSlots: [Int]
    let destinationSlots: [Int]
}
