/// Per-proxy settings that change what a sidecar prints but not the traffic it sees.
public struct SidecarOptions: Sendable, Hashable {
    /// Istio metrics that are enabled.
    public var istioMetrics: IstioMetricSet
    /// Istio's non-service Envoy clusters included in the `envoy_cluster_*` stats.
    public var infrastructureClusters: [String]
    /// Whether every mesh Service gets an outbound cluster (Istio's default without a
    /// `Sidecar` resource) or only the Services this pod calls.
    public var outboundClustersForAllServices: Bool
    /// Printed in `istio_build{component="proxy",tag="..."}`.
    public var istioVersion: String

    /// The clusters every Istio sidecar has besides inbound/outbound ones.
    public static let standardInfrastructureClusters = [
        "BlackHoleCluster", "InboundPassthroughCluster", "PassthroughCluster", "agent",
        "prometheus_stats", "sds-grpc", "xds-grpc",
    ]

    public init(
        istioMetrics: IstioMetricSet = .all,
        infrastructureClusters: [String] = SidecarOptions.standardInfrastructureClusters,
        outboundClustersForAllServices: Bool = true,
        istioVersion: String = "1.24.2"
    ) {
        self.istioMetrics = istioMetrics
        self.infrastructureClusters = infrastructureClusters
        self.outboundClustersForAllServices = outboundClustersForAllServices
        self.istioVersion = istioVersion
    }
}
