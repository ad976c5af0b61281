/// HTTP or gRPC traffic from every pod of one workload to the pods of another.
///
/// Rates are for the whole workload pair and are spread evenly over pod pairs, like
/// round-robin load balancing over identical replicas.
public struct TrafficEdge: Sendable, Hashable {
    /// Source workload name.
    public var source: String
    /// Destination workload name (must have a `service`).
    public var destination: String
    /// Mean requests per second over the whole workload pair.
    public var requestsPerSecond: Double
    /// Fraction of requests that end in one of `errorOutcomes` (0...1).
    public var errorShare: Double
    /// Latency seen by the destination proxy, in milliseconds.
    public var latency: LogNormalDistribution
    /// The source proxy's latency is the destination's times this factor (network plus a
    /// second proxy hop), so source-reported histograms sit slightly to the right.
    public var sourceLatencyFactor: Double
    public var requestProtocol: RequestProtocol
    /// Non-error outcomes and their relative weights (404 counts as non-error here).
    public var successOutcomes: [ResponseOutcome]
    /// Error outcomes and their relative weights, sharing `errorShare` among them.
    public var errorOutcomes: [ResponseOutcome]
    /// `connection_security_policy`: "mutual_tls" inside the mesh.
    public var connectionSecurityPolicy: String
    /// Request body size in bytes (`istio_request_bytes`).
    public var requestSize: LogNormalDistribution
    /// Response body size in bytes (`istio_response_bytes`).
    public var responseSize: LogNormalDistribution

    public init(
        from source: String,
        to destination: String,
        requestsPerSecond: Double,
        errorShare: Double = 0.01,
        latency: LogNormalDistribution = .latency(medianMs: 12, p99Ms: 120),
        sourceLatencyFactor: Double = 1.05,
        requestProtocol: RequestProtocol = .http,
        successOutcomes: [ResponseOutcome] = [.ok()],
        errorOutcomes: [ResponseOutcome] = [.unavailable()],
        connectionSecurityPolicy: String = "mutual_tls",
        requestSize: LogNormalDistribution = .bytes(median: 350, p99: 2_000),
        responseSize: LogNormalDistribution = .bytes(median: 1_800, p99: 60_000)
    ) {
        precondition(requestsPerSecond >= 0, "rate must not be negative")
        precondition((0...1).contains(errorShare), "errorShare is a fraction")
        precondition(sourceLatencyFactor > 0)
        self.source = source
        self.destination = destination
        self.requestsPerSecond = requestsPerSecond
        self.errorShare = errorShare
        self.latency = latency
        self.sourceLatencyFactor = sourceLatencyFactor
        self.requestProtocol = requestProtocol
        self.successOutcomes = successOutcomes
        self.errorOutcomes = errorOutcomes
        self.connectionSecurityPolicy = connectionSecurityPolicy
        self.requestSize = requestSize
        self.responseSize = responseSize
    }

    /// Every outcome with its absolute probability (weights normalised within the success
    /// and error groups, then scaled by `1 - errorShare` and `errorShare`).
    public var outcomeProbabilities: [(outcome: ResponseOutcome, probability: Double)] {
        func normalised(_ outcomes: [ResponseOutcome], _ share: Double) -> [(ResponseOutcome, Double)] {
            let total = outcomes.reduce(0) { $0 + $1.weight }
            guard total > 0, share > 0 else { return [] }
            return outcomes.compactMap { $0.weight > 0 ? ($0, share * $0.weight / total) : nil }
        }
        return normalised(successOutcomes, 1 - errorShare) + normalised(errorOutcomes, errorShare)
    }
}
