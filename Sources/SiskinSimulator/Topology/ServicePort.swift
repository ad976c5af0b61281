/// The Kubernetes Service in front of a workload: it names the `destination_service*`
/// labels and the Envoy clusters (`outbound|9898||podinfo.test.svc.cluster.local`,
/// `inbound|9898||`) that carry its traffic.
public struct ServicePort: Sendable, Hashable {
    /// Service name, e.g. "podinfo".
    public var name: String
    /// Service namespace, e.g. "test".
    public var namespace: String
    /// Service (and container) port, e.g. 9898.
    public var port: Int
    /// Cluster DNS domain.
    public var clusterDomain: String

    public init(name: String, namespace: String, port: Int, clusterDomain: String = "cluster.local") {
        self.name = name
        self.namespace = namespace
        self.port = port
        self.clusterDomain = clusterDomain
    }

    /// "podinfo.test.svc.cluster.local", the value of `destination_service`.
    public var fqdn: String { "\(name).\(namespace).svc.\(clusterDomain)" }

    /// The source proxy's Envoy cluster for this service.
    public var outboundClusterName: String { "outbound|\(port)||\(fqdn)" }

    /// The destination proxy's Envoy cluster for this port.
    public var inboundClusterName: String { "inbound|\(port)||" }
}
