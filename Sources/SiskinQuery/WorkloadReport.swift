/// The answer to a `WorkloadQuery`.
public struct WorkloadReport: Sendable, Equatable, Codable {
    public struct PodRate: Sendable, Equatable, Codable {
        public var pod: String
        public var requestRate: Double
        /// Share of 5xx among the pod's requests; nil without requests.
        public var errorRate: Double?
    }

    public struct Latency: Sendable, Equatable, Codable {
        public var p50: Double
        public var p90: Double
        public var p95: Double
        public var p99: Double
    }

    public var namespace: String
    public var workload: String
    public var revision: String?
    public var reporter: String
    public var windowSeconds: Double
    /// The part of the window that had data (ms since the epoch), nil if none.
    public var coveredFrom: Int64?
    public var coveredTo: Int64?
    /// Requests per second.
    public var requestRate: Double
    /// Share of non-5xx responses (0…1); nil without requests.
    public var successRate: Double?
    /// Requests counted in the covered part of the window (not extrapolated).
    public var requests: Double
    /// Duration quantiles in milliseconds from the merged histograms; nil
    /// without observations.
    public var latencyMilliseconds: Latency?
    public var pods: [PodRate]
}
